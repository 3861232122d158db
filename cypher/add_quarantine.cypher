// name: add_quarantine
// purpose: store quarantined rows of a run with their file, line, field and reason
// parameters: $run_id, $rows
// Each row: {seq, file, line, field, reason, row (JSON text)}; seq keeps the insertion order.
UNWIND $rows AS row
CREATE (:QuarantineRow {run_id: $run_id, seq: row.seq, file: row.file, line: row.line,
                        field: row.field, reason: row.reason, row: row.row})
