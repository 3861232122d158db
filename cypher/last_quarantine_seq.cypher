// name: last_quarantine_seq
// purpose: the highest quarantine sequence number so far, so new rows sort after it
// parameters: none
MATCH (q:QuarantineRow)
RETURN max(q.seq) AS seq
