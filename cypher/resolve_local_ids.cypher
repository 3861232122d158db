// name: resolve_local_ids
// purpose: the uids of a batch of a source's local entity ids
// parameters: $keys
UNWIND $keys AS key
MATCH (l:LocalId {key: key})
RETURN l.local_id AS local_id, l.uid AS uid
