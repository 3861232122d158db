// name: begin_run
// purpose: record the start of an ingest run
// parameters: $run_id, $source, $mapping, $started
CREATE (r:IngestRun {run_id: $run_id, source: $source, mapping: $mapping, started: $started,
                     rows_read: 0, rows_ingested: 0, rows_quarantined: 0, files: '[]'})
