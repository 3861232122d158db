// name: erase_delete_by_id
// purpose: erasure and retention: delete bookkeeping nodes of one label (Result, NodeResult, QuarantineRow) by element id (read in the same transaction)
// parameters: $ids
UNWIND $ids AS id
MATCH (r:{{label}})
WHERE elementId(r) = id
DELETE r
RETURN count(*) AS deleted
