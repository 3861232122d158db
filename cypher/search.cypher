// name: search
// purpose: nodes of one label whose folded search text contains the folded needle; prefix matches first, then shorter names
// parameters: $needle, $limit
MATCH (n:{{label}})
WHERE n.search CONTAINS $needle
WITH n
ORDER BY n.search STARTS WITH $needle DESC, size(n.display_name), n.uid
LIMIT $limit
RETURN n {.*, prov_keys: null, prov_seen: null, prov_ingested: null} AS node, n.search AS search
