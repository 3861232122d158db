"""One root exception for the project and a few subclasses.

Messages name the offending file, line, field or value so the CLI can print one clear line.
"""

from __future__ import annotations


class NetzichtError(Exception):
    """Root of every error netzicht raises on purpose."""


class SchemaError(NetzichtError):
    """The graph schema (or something checked against it) is inconsistent."""


class MappingError(NetzichtError):
    """An ingest mapping file is invalid; nothing was written."""


class InputFileError(NetzichtError):
    """An input file cannot be read at all; nothing was written."""


class StoreError(NetzichtError):
    """The store URI is invalid or the store cannot be opened."""


class AccessDenied(NetzichtError):
    """The current identity may not do this; the refusal is audited."""


class RowError(NetzichtError):
    """One input row is bad; it goes to quarantine with this message as its reason."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
