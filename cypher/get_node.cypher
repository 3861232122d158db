// name: get_node
// purpose: one node with its provenance
// parameters: $uid
MATCH (n:{{label}} {uid: $uid})
RETURN n {.*} AS node
