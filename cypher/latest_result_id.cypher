// name: latest_result_id
// purpose: the run id of the newest result of one kind, without reading its document
// parameters: $kind
MATCH (r:Result {kind: $kind})
RETURN r.run_id AS run_id
ORDER BY r.created DESC, r.run_id DESC
LIMIT 1
