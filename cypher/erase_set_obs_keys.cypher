// name: erase_set_obs_keys
// purpose: erasure: replace the observation keys of ties of one type (same length and order: only record ids change)
// parameters: $rows
// Each row: {id, keys}
UNWIND $rows AS row
MATCH ()-[r:{{type}} {id: row.id}]->()
SET r.obs_keys = row.keys
