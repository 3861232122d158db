// name: erase_ties
// purpose: erasure and retention: delete every relationship of the given nodes of one label; count them and their observations
// parameters: $uids
UNWIND $uids AS uid
MATCH (:{{label}} {uid: uid})-[r]-()
WITH DISTINCT r
WITH r, size(coalesce(r.obs_keys, [])) AS observations
DELETE r
RETURN count(*) AS edges, sum(observations) AS observations
