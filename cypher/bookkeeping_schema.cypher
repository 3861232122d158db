// name: bookkeeping_schema
// purpose: constraints and indexes for the store's own bookkeeping nodes (runs, quarantine, results, local ids)
// parameters: none
CREATE CONSTRAINT ingest_run_run_id IF NOT EXISTS FOR (n:IngestRun) REQUIRE n.run_id IS UNIQUE;
CREATE INDEX ingest_run_started IF NOT EXISTS FOR (n:IngestRun) ON (n.started);
CREATE INDEX quarantine_row_run_id IF NOT EXISTS FOR (n:QuarantineRow) ON (n.run_id);
CREATE INDEX quarantine_row_seq IF NOT EXISTS FOR (n:QuarantineRow) ON (n.seq);
CREATE CONSTRAINT result_run_id IF NOT EXISTS FOR (n:Result) REQUIRE n.run_id IS UNIQUE;
CREATE INDEX result_kind IF NOT EXISTS FOR (n:Result) ON (n.kind);
CREATE CONSTRAINT node_result_key IF NOT EXISTS FOR (n:NodeResult) REQUIRE n.key IS UNIQUE;
CREATE INDEX node_result_uid IF NOT EXISTS FOR (n:NodeResult) ON (n.uid);
CREATE INDEX node_result_run_network IF NOT EXISTS FOR (n:NodeResult) ON (n.run_id, n.network);
CREATE CONSTRAINT local_id_key IF NOT EXISTS FOR (n:LocalId) REQUIRE n.key IS UNIQUE;
