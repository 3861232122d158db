"""The graph schema (as data), models derived from it, and the GraphStore adapters."""

from graph_model.schema import Schema, load_schema

__all__ = ["Schema", "load_schema"]
