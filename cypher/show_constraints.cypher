// name: show_constraints
// purpose: names of the constraints that exist, so only missing ones are created
// parameters: none
SHOW CONSTRAINTS YIELD name
RETURN name
