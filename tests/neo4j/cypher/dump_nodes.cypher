// name: dump_nodes
// purpose: TESTS ONLY: every node with its labels and properties
// parameters: none
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS props
