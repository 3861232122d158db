// name: erase_node_results
// purpose: erasure and retention: delete the per-node analysis results of the given uids
// parameters: $uids
UNWIND $uids AS uid
MATCH (r:NodeResult {uid: uid})
DELETE r
RETURN count(*) AS deleted
