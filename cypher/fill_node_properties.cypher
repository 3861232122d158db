// name: fill_node_properties
// purpose: first value wins for node properties the schema does not name: set each only where the node has none
// parameters: $rows
// Each row: {uid, key, value, term}, one per property; `term` is the folded value the search
// text gains with the property (null: none, e.g. a number or long text). Runs after merge_nodes
// in the same transaction, only for rows that carry such a property (rare: the ingest writes
// schema properties only), so the dynamic SET costs nothing on the common path.
CYPHER replan=skip
UNWIND $rows AS row
MATCH (n:{{label}} {uid: row.uid})
SET n.search = CASE WHEN n[row.key] IS NULL AND row.term IS NOT NULL
                    THEN CASE WHEN n.search = '' THEN row.term ELSE n.search + ' ' + row.term END
                    ELSE n.search END,
    n[row.key] = coalesce(n[row.key], row.value)
