// name: network_members
// purpose: the uids of the members of one network found by one analysis run
// parameters: $run_id, $network
MATCH (n:NodeResult {run_id: $run_id, network: $network})
RETURN n.uid AS uid
ORDER BY uid
