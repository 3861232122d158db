// name: latest_node_result
// purpose: the per-node result of one node from the newest analysis run that has one
// parameters: $uid
MATCH (n:NodeResult {uid: $uid})
MATCH (r:Result {run_id: n.run_id})
RETURN n.document AS document
ORDER BY r.created DESC
LIMIT 1
