// name: wipe
// purpose: TESTS ONLY: empty the database between tests
// parameters: none
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
