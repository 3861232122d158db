// name: finish_run
// purpose: record the end and the row accounting of an ingest run
// parameters: $run_id, $finished, $rows_read, $rows_ingested, $rows_quarantined, $files
MATCH (r:IngestRun {run_id: $run_id})
SET r.finished = $finished, r.rows_read = $rows_read, r.rows_ingested = $rows_ingested,
    r.rows_quarantined = $rows_quarantined, r.files = $files
