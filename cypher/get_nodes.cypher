// name: get_nodes
// purpose: a batch of nodes of one label, without their provenance lists
// parameters: $uids
UNWIND $uids AS uid
MATCH (n:{{label}} {uid: uid})
RETURN n {.*, prov_keys: null, prov_seen: null, prov_ingested: null} AS node
