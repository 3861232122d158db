// name: dump_ties
// purpose: TESTS ONLY: every relationship with its ends, type and properties
// parameters: none
MATCH (a)-[r]->(b)
RETURN a.uid AS src, type(r) AS type, b.uid AS dst, properties(r) AS props
