// name: fill_node_properties
// purpose: first value wins for node properties the schema does not name: set each only where the node has none
// parameters: $rows
// Each row: {uid, key, value}, one per property. Runs after merge_nodes in the same transaction,
// only for rows that carry such a property (rare: the ingest writes schema properties only), so
// the dynamic SET costs nothing on the common path.
CYPHER replan=skip
UNWIND $rows AS row
MATCH (n:{{label}} {uid: row.uid})
SET n[row.key] = coalesce(n[row.key], row.value)
