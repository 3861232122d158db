// name: fill_tie_properties
// purpose: first value wins for tie properties the schema does not name: set each only where the tie has none
// parameters: $rows
// Each row: {src, dst, key, value}, one per property. Runs after merge_ties in the same
// transaction, only for ties that carry such a property (see fill_node_properties).
CYPHER replan=skip
UNWIND $rows AS row
MATCH (:{{src_label}} {uid: row.src})-[r:{{type}}]->(:{{dst_label}} {uid: row.dst})
SET r[row.key] = coalesce(r[row.key], row.value)
