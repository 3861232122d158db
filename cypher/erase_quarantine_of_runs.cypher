// name: erase_quarantine_of_runs
// purpose: erasure and retention: the quarantined rows of the given ingest runs (element id and JSON row)
// parameters: $runs
UNWIND $runs AS run
MATCH (q:QuarantineRow {run_id: run})
RETURN elementId(q) AS id, q.row AS row
ORDER BY q.seq
