// name: result
// purpose: the analysis document of one run
// parameters: $run_id
MATCH (r:Result {run_id: $run_id})
RETURN r.document AS document
