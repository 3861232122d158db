// name: count_ties
// purpose: the number of ties of one relationship type (from the count store)
// parameters: none
MATCH ()-[r:{{type}}]->()
RETURN count(r) AS count
