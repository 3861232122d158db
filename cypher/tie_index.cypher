// name: tie_index
// purpose: an index on the tie id of one relationship type, for ordered, paged tie streams
// parameters: none
CREATE INDEX {{type}}_id IF NOT EXISTS FOR ()-[r:{{type}}]-() ON (r.id)
