// name: latest_result
// purpose: the newest analysis document of one kind
// parameters: $kind
MATCH (r:Result {kind: $kind})
RETURN r.run_id AS run_id, r.document AS document
ORDER BY r.created DESC, r.run_id DESC
LIMIT 1
