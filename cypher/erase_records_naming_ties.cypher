// name: erase_records_naming_ties
// purpose: erasure: ties of one type with an observation key of one of the given sources ("source<US>" prefixes) that contains one of the given ids (a prefilter; the caller checks word boundaries)
// parameters: $prefixes, $ids
MATCH ()-[r:{{type}}]->()
WHERE any(k IN r.obs_keys WHERE any(p IN $prefixes WHERE k STARTS WITH p)
                             AND any(i IN $ids WHERE k CONTAINS i))
RETURN r.id AS id, r.obs_keys AS keys
