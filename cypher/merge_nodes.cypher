// name: merge_nodes
// purpose: upsert a batch of nodes of one label by uid; first value wins for name and each property, the search text follows them; first_seen/last_seen widen; provenance (source, record) is added, never dropped
// parameters: $rows, $ingested_at
// Each row: {uid, name, search, fname, terms, props, first_seen, last_seen, prov_keys, prov_seen}
// (parallel lists: prov_keys are "source<US>record", prov_seen "" when undated); every
// provenance entry a row adds is stamped $ingested_at (prov_ingested, the third parallel list).
// A new node takes the row as it is (the common, fast case); an existing one merges. Every SET
// item reads the node as it was before the SET: Neo4j evaluates them all before it sets any
// (measured on 5.26).
// Provenance of an existing node: `had` is which of the row's keys the node has already, found
// in one pass over the node's list, each entry looked up among the row's keys (measured 5x
// faster than looking each of the row's keys up in the node's list); `fresh` the indexes of
// the others, and only those are appended, the three lists at once (`n += {...}`; nothing at
// all when there are none). A node that many records mention (a Region: up to ~23,000 entries
// after a 1M-row synthetic export) was checked key by key against its whole list, once for
// each of the three lists: 0.67 s for a batch of 500 new records at 20,000 entries and 1.5 s at
// 40,000, now 0.05 s and 0.11 s (bench/neo4j_provenance.py). The one-element lists bind a value
// once: Cypher has no `WITH` inside SET, and a `WITH` after the MERGE made Neo4j materialise
// every row (Eager).
// Properties of an existing node: first value wins, so a row's property is set only where the
// node has none. The coalesce line of ON MATCH SET is written once per schema property of the
// label (the registry's property line), a plain SET each: no key list travels with every row,
// and no FOREACH over keys(row.props), whose dynamic SET after the MERGE made Neo4j put an
// Eager (all rows materialised) between the two (~1-2 s of the store's ~8 s on the 20,000-row
// bench here). A property outside the label's schema is filled by fill_node_properties.
// The search text of an existing node gains what the row brings it: the folded name (`fname`,
// put first, as in SQLite's search text) if the node had none, and the folded value of each
// schema property it had none of (`terms`, by property), read before this SET fills them.
// Values already there keep their place; SQLite sorts them, which only shows in which of two
// prefix matches ranks first.
// replan=skip: the plan is a seek on the uid uniqueness constraint whatever the counts are, and
// an ingest into an empty database changes the counts so fast that Neo4j would otherwise plan
// this statement again every 10 s of the run (dbms.cypher.min_replan_interval), ~0.5 s each.
CYPHER replan=skip
UNWIND $rows AS row
MERGE (n:{{label}} {uid: row.uid})
ON CREATE SET
    n += row.props,
    n.display_name = row.name,
    n.search = row.search,
    n.first_seen = row.first_seen,
    n.last_seen = row.last_seen,
    n.prov_seen = row.prov_seen,
    n.prov_ingested = [k IN row.prov_keys | $ingested_at],
    n.prov_keys = row.prov_keys
ON MATCH SET
    n.search = reduce(s = CASE WHEN n.display_name = '' AND row.fname <> ''
                               THEN trim(row.fname + ' ' + n.search) ELSE n.search END,
                      t IN [t IN [
                          CASE WHEN n.{{property}} IS NULL THEN row.terms.{{property}} END,
                          null] WHERE t IS NOT NULL] |
                      CASE WHEN s = '' THEN t ELSE s + ' ' + t END),
    n.{{property}} = coalesce(n.{{property}}, row.props.{{property}}),
    n.display_name = CASE WHEN n.display_name = '' THEN row.name ELSE n.display_name END,
    n.first_seen = CASE WHEN row.first_seen IS NULL THEN n.first_seen
                        WHEN n.first_seen IS NULL OR row.first_seen < n.first_seen
                        THEN row.first_seen ELSE n.first_seen END,
    n.last_seen = CASE WHEN row.last_seen IS NULL THEN n.last_seen
                       WHEN n.last_seen IS NULL OR row.last_seen > n.last_seen
                       THEN row.last_seen ELSE n.last_seen END,
    n += [fresh IN [had IN [[k IN n.prov_keys WHERE k IN row.prov_keys]] |
                    [i IN range(0, size(row.prov_keys) - 1) WHERE NOT row.prov_keys[i] IN had]] |
          CASE WHEN fresh = [] THEN {} ELSE {
              prov_seen: n.prov_seen + [i IN fresh | row.prov_seen[i]],
              prov_ingested: n.prov_ingested + [i IN fresh | $ingested_at],
              prov_keys: n.prov_keys + [i IN fresh | row.prov_keys[i]]} END][0]
