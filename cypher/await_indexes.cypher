// name: await_indexes
// purpose: wait until newly created indexes are online before the first write
// parameters: $seconds
CALL db.awaitIndexes($seconds)
