// name: erase_neighbours
// purpose: erasure: the neighbours of one node, each with its provenance keys and the uids of its own other neighbours (to find artefacts that exist only because of that node)
// parameters: $uid
MATCH (p:{{label}} {uid: $uid})--(m)
WITH DISTINCT m
RETURN m.uid AS uid, coalesce(m.prov_keys, []) AS prov_keys,
       [(m)--(o) WHERE o.uid <> $uid | o.uid] AS others
