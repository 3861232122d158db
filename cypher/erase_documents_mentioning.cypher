// name: erase_documents_mentioning
// purpose: erasure and retention: the bookkeeping nodes of one label (Result, NodeResult) whose JSON document contains one of the given strings
// parameters: $needles
MATCH (r:{{label}})
WHERE any(needle IN $needles WHERE r.document CONTAINS needle)
RETURN elementId(r) AS id, r.document AS document
