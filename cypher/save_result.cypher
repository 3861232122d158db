// name: save_result
// purpose: analytics write-back: store (or replace) the JSON document of an analysis run
// parameters: $run_id, $kind, $created, $document
MERGE (r:Result {run_id: $run_id})
SET r.kind = $kind, r.created = $created, r.document = $document
