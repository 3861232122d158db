// name: merge_local_ids
// purpose: remember which uid a source's local entity id stands for (first mapping wins)
// parameters: $rows
// Each row: {key: "source\u001flocal id", source, local_id, uid}
// replan=skip: the plan is fixed by the uniqueness constraints (see merge_nodes).
CYPHER replan=skip
UNWIND $rows AS row
MERGE (l:LocalId {key: row.key})
ON CREATE SET l.source = row.source, l.local_id = row.local_id, l.uid = row.uid
