// name: iter_ties
// purpose: one page of the ties of one relationship type in tie-id order, after a given id, with their observation lists (keyset paging)
// parameters: $after, $page
MATCH (a)-[r:{{type}}]->(b)
WHERE r.id > $after
RETURN r.id AS id, a.uid AS src, b.uid AS dst, r.obs_keys AS keys, r.obs_dates AS dates,
       r.obs_weights AS weights, r.obs_amounts AS amounts
ORDER BY r.id
LIMIT $page
