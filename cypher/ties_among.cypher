// name: ties_among
// purpose: the ties that leave nodes of one label and end inside a given set of nodes, with their aggregates
// parameters: $uids, $keep, $types
UNWIND $uids AS uid
MATCH (a:{{label}} {uid: uid})-[r]->(b)
WHERE b.uid IN $keep AND ($types IS NULL OR type(r) IN $types)
RETURN r.id AS id, a.uid AS src, type(r) AS type, b.uid AS dst,
       r {.*, obs_keys: null, obs_dates: null, obs_weights: null, obs_amounts: null} AS tie
