"""Every Cypher statement of the project, as named `.cypher` files; `registry` loads them."""

from cypher.registry import CypherError, Registry, Statement, default_registry

__all__ = ["CypherError", "Registry", "Statement", "default_registry"]
