// name: show_indexes
// purpose: names of the indexes that exist (constraints own an index of the same name), so only missing ones are created
// parameters: none
SHOW INDEXES YIELD name
RETURN name
