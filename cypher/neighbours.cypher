// name: neighbours
// purpose: one step of a neighbourhood: the nodes next to a frontier of one label that are not known yet, each with the smallest id of a tie that reaches it, in that order, at most $room of them
// parameters: $uids, $known, $types, $room
UNWIND $uids AS uid
MATCH (a:{{label}} {uid: uid})-[r]-(b)
WHERE ($types IS NULL OR type(r) IN $types) AND NOT b.uid IN $known
WITH b.uid AS uid, min(r.id) AS first
RETURN uid, first
ORDER BY first
LIMIT $room
