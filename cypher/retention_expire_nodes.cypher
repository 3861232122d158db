// name: retention_expire_nodes
// purpose: retention: drop the provenance entries of one source older than the cutoff (observation date, or else ingest date) from the nodes of one label; first_seen/last_seen from what is left; return each touched node and whether it has no provenance left
// parameters: $prefix, $cutoff
// $prefix is "source<US>". New values are computed in WITH before the SET, so no SET item reads
// a list another item has already rewritten.
MATCH (n:{{label}})
WHERE any(k IN n.prov_keys WHERE k STARTS WITH $prefix)
WITH n, [i IN range(0, size(n.prov_keys) - 1)
         WHERE n.prov_keys[i] STARTS WITH $prefix
           AND left(CASE WHEN n.prov_seen[i] = '' THEN n.prov_ingested[i]
                         ELSE n.prov_seen[i] END, 10) < $cutoff] AS gone
WHERE size(gone) > 0
WITH n, size(gone) AS expired,
     [i IN range(0, size(n.prov_keys) - 1) WHERE NOT i IN gone] AS keep
WITH n, expired, keep,
     [i IN keep WHERE n.prov_seen[i] <> '' | n.prov_seen[i]] AS dated,
     [i IN keep | n.prov_keys[i]] AS keys,
     [i IN keep | n.prov_seen[i]] AS seen,
     [i IN keep | n.prov_ingested[i]] AS ingested
SET n.prov_keys = keys,
    n.prov_seen = seen,
    n.prov_ingested = ingested,
    n.first_seen = reduce(m = null, d IN dated | CASE WHEN m IS NULL OR d < m THEN d ELSE m END),
    n.last_seen = reduce(m = null, d IN dated | CASE WHEN m IS NULL OR d > m THEN d ELSE m END)
RETURN n.uid AS uid, expired, size(keep) = 0 AS orphan
