// name: erase_set_documents
// purpose: erasure and retention: write back scrubbed JSON documents of bookkeeping nodes of one label, by element id (read in the same transaction)
// parameters: $rows
// Each row: {id, document}
UNWIND $rows AS row
MATCH (r:{{label}})
WHERE elementId(r) = row.id
SET r.document = row.document
