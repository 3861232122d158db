// name: runs
// purpose: the latest ingest runs, newest first
// parameters: $limit
MATCH (r:IngestRun)
RETURN r.run_id AS run_id, r.source AS source, r.mapping AS mapping, r.started AS started,
       r.finished AS finished, r.rows_read AS rows_read, r.rows_ingested AS rows_ingested,
       r.rows_quarantined AS rows_quarantined, r.files AS files
ORDER BY started DESC, run_id
LIMIT $limit
