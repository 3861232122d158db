// name: count_all
// purpose: TESTS ONLY: how many nodes and relationships the database holds
// parameters: none
MATCH (n)
OPTIONAL MATCH (n)-[r]->()
RETURN count(DISTINCT n) AS nodes, count(r) AS ties
