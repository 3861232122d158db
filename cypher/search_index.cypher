// name: search_index
// purpose: a text index on the folded `search` text of one node label, for substring search (CONTAINS)
// parameters: none
CREATE TEXT INDEX {{label}}_search IF NOT EXISTS FOR (n:{{label}}) ON (n.search)
