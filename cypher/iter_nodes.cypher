// name: iter_nodes
// purpose: one page of the nodes of one label in uid order, after a given uid (keyset paging)
// parameters: $after, $page
MATCH (n:{{label}})
WHERE n.uid > $after
RETURN n {.*, prov_keys: null, prov_seen: null, prov_ingested: null} AS node
ORDER BY n.uid
LIMIT $page
