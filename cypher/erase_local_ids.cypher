// name: erase_local_ids
// purpose: erasure and retention: delete the local-id mappings that point at the given uids; return the local ids deleted
// parameters: $uids
// LocalId has no index on uid (lookups go by key): one scan of the mappings per call.
MATCH (l:LocalId)
WHERE l.uid IN $uids
WITH l, l.local_id AS local_id
DELETE l
RETURN local_id
