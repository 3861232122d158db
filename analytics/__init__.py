"""Network analytics over the graph store: projection, networks, key actors, disruption, leads.

One module per algorithm family; every randomised function takes a `seed`; results are pydantic
models (see `analytics.models`). The algorithms run on an in-memory projection through a small
backend interface (`analytics.backend`) so an in-database backend (Neo4j GDS) can be added.
"""
