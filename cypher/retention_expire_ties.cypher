// name: retention_expire_ties
// purpose: retention: drop the observations of one source older than the cutoff from the ties of one type; sums and first/last dates from what is left; delete ties left without observations; count both
// parameters: $prefix, $cutoff, $undated_expired
// $prefix is "source<US>". A tie observation keeps no ingest time, so an undated one expires
// when the caller says so ($undated_expired: every ingest run of the source is older than the
// cutoff). New values are computed in WITH before the SET.
MATCH ()-[r:{{type}}]->()
WHERE any(k IN r.obs_keys WHERE k STARTS WITH $prefix)
WITH r, [i IN range(0, size(r.obs_keys) - 1)
         WHERE r.obs_keys[i] STARTS WITH $prefix
           AND CASE WHEN r.obs_dates[i] = '' THEN $undated_expired
                    ELSE left(r.obs_dates[i], 10) < $cutoff END] AS gone
WHERE size(gone) > 0
WITH r, size(gone) AS expired,
     [i IN range(0, size(r.obs_keys) - 1) WHERE NOT i IN gone] AS keep
WITH r, expired, keep,
     [i IN keep WHERE r.obs_dates[i] <> '' | r.obs_dates[i]] AS dated,
     [i IN keep | r.obs_keys[i]] AS keys,
     [i IN keep | r.obs_dates[i]] AS dates,
     [i IN keep | r.obs_weights[i]] AS weights,
     [i IN keep | r.obs_amounts[i]] AS amounts
SET r.obs_keys = keys,
    r.obs_dates = dates,
    r.obs_weights = weights,
    r.obs_amounts = amounts,
    r.observations = size(keys),
    r.weight = reduce(s = 0.0, w IN weights | s + w),
    r.amount = reduce(s = 0.0, a IN amounts | s + a),
    r.first_seen = reduce(m = null, d IN dated | CASE WHEN m IS NULL OR d < m THEN d ELSE m END),
    r.last_seen = reduce(m = null, d IN dated | CASE WHEN m IS NULL OR d > m THEN d ELSE m END)
WITH r, expired, size(keep) = 0 AS empty
FOREACH (_ IN CASE WHEN empty THEN [1] ELSE [] END | DELETE r)
RETURN sum(expired) AS observations, sum(CASE WHEN empty THEN 1 ELSE 0 END) AS edges
