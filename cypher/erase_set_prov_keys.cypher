// name: erase_set_prov_keys
// purpose: erasure: replace the provenance keys of nodes of one label (same length and order: only record ids change)
// parameters: $rows
// Each row: {uid, keys}
UNWIND $rows AS row
MATCH (n:{{label}} {uid: row.uid})
SET n.prov_keys = row.keys
