// name: erase_runs_of_sources
// purpose: erasure and retention: the ingest runs of the given sources with their start times
// parameters: $sources
MATCH (r:IngestRun)
WHERE r.source IN $sources
RETURN r.run_id AS run_id, r.source AS source, r.started AS started
ORDER BY run_id
