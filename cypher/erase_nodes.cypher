// name: erase_nodes
// purpose: erasure and retention: delete the given nodes of one label (their relationships are gone already); count them and their provenance entries
// parameters: $uids
UNWIND $uids AS uid
MATCH (n:{{label}} {uid: uid})
WITH n, size(coalesce(n.prov_keys, [])) AS provenance
DETACH DELETE n
RETURN count(*) AS nodes, sum(provenance) AS provenance
