// name: node_result
// purpose: the per-node result of one node in one analysis run (key: "run id\u001fuid")
// parameters: $key
MATCH (n:NodeResult {key: $key})
RETURN n.document AS document
