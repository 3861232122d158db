// name: quarantine
// purpose: quarantined rows in the order they were stored, of one run or of all runs
// parameters: $run_id, $limit
MATCH (q:QuarantineRow)
WHERE $run_id IS NULL OR q.run_id = $run_id
RETURN q.file AS file, q.line AS line, q.field AS field, q.reason AS reason, q.row AS row
ORDER BY q.seq
LIMIT $limit
