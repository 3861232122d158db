// name: merge_ties
// purpose: upsert a batch of ties (src)-[type]->(dst) between two labels: one relationship per tie, its observations kept as parallel lists keyed by (source, record), so re-ingest adds nothing; tie properties first value wins; weight/amount/observations are the sums over the observations
// parameters: $rows
// Each row: {id, src, dst, props, first_seen, last_seen, obs_keys, obs_dates, obs_weights,
// obs_amounts, weight, amount} (weight and amount: the sums over the row's observations).
// Tie properties of an existing tie: first value wins, one SET per schema tie property that is
// not an observation's own (the registry's property line, as in merge_nodes); a property outside
// the schema is filled by fill_tie_properties.
// Every SET item reads the tie as it was before the SET (see merge_nodes). Observations of an
// existing tie: only the row's keys the tie does not have are appended to the four lists and
// added to the sums, found as merge_nodes finds new provenance (one pass over the tie's list).
// replan=skip: the plan is fixed by the uniqueness constraints (see merge_nodes).
CYPHER replan=skip
UNWIND $rows AS row
MATCH (a:{{src_label}} {uid: row.src})
MATCH (b:{{dst_label}} {uid: row.dst})
MERGE (a)-[r:{{type}}]->(b)
ON CREATE SET
    r += row.props,
    r.id = row.id,
    r.first_seen = row.first_seen,
    r.last_seen = row.last_seen,
    r.weight = row.weight,
    r.amount = row.amount,
    r.observations = size(row.obs_keys),
    r.obs_dates = row.obs_dates,
    r.obs_weights = row.obs_weights,
    r.obs_amounts = row.obs_amounts,
    r.obs_keys = row.obs_keys
ON MATCH SET
    r.{{property}} = coalesce(r.{{property}}, row.props.{{property}}),
    r.first_seen = CASE WHEN row.first_seen IS NULL THEN r.first_seen
                        WHEN r.first_seen IS NULL OR row.first_seen < r.first_seen
                        THEN row.first_seen ELSE r.first_seen END,
    r.last_seen = CASE WHEN row.last_seen IS NULL THEN r.last_seen
                       WHEN r.last_seen IS NULL OR row.last_seen > r.last_seen
                       THEN row.last_seen ELSE r.last_seen END,
    r += [fresh IN [had IN [[k IN r.obs_keys WHERE k IN row.obs_keys]] |
                    [i IN range(0, size(row.obs_keys) - 1) WHERE NOT row.obs_keys[i] IN had]] |
          CASE WHEN fresh = [] THEN {} ELSE {
              weight: r.weight + reduce(s = 0.0, i IN fresh | s + row.obs_weights[i]),
              amount: r.amount + reduce(s = 0.0, i IN fresh | s + row.obs_amounts[i]),
              observations: r.observations + size(fresh),
              obs_dates: r.obs_dates + [i IN fresh | row.obs_dates[i]],
              obs_weights: r.obs_weights + [i IN fresh | row.obs_weights[i]],
              obs_amounts: r.obs_amounts + [i IN fresh | row.obs_amounts[i]],
              obs_keys: r.obs_keys + [i IN fresh | row.obs_keys[i]]} END][0]
