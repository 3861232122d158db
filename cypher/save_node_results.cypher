// name: save_node_results
// purpose: analytics write-back: per-node results of an analysis run (network id and a JSON document), replaced when written again
// parameters: $run_id, $rows
// Each row: {key: "run id\u001fuid", uid, network, document}
UNWIND $rows AS row
MERGE (n:NodeResult {key: row.key})
SET n.run_id = $run_id, n.uid = row.uid, n.network = row.network, n.document = row.document
