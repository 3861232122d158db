// name: erase_records_naming_nodes
// purpose: erasure: nodes of one label with a provenance key of one of the given sources ("source<US>" prefixes) that contains one of the given ids (a prefilter; the caller checks word boundaries)
// parameters: $prefixes, $ids
MATCH (n:{{label}})
WHERE any(k IN n.prov_keys WHERE any(p IN $prefixes WHERE k STARTS WITH p)
                              AND any(i IN $ids WHERE k CONTAINS i))
RETURN n.uid AS uid, n.prov_keys AS keys
