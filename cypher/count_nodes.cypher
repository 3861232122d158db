// name: count_nodes
// purpose: the number of nodes of one label (from the count store)
// parameters: none
MATCH (n:{{label}})
RETURN count(n) AS count
