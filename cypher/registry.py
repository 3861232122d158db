"""Every Cypher statement netzicht runs, loaded from the named `.cypher` files in this folder.

Each file starts with a header::

    // name: merge_nodes
    // purpose: upsert one batch of nodes of one label
    // parameters: $rows

and holds one statement, or several separated by `;` (schema files). Values only ever reach
Cypher as `$parameters`: `Registry.query()` refuses a parameter the file does not declare and a
declared one that is missing. The only text that is filled in are `{{placeholders}}` for labels
and relationship types, which Cypher cannot take as parameters in MERGE or index definitions;
each one is checked against the schema's allow-list before it is rendered:

- a placeholder whose name ends in `label` (`{{label}}`, `{{src_label}}`) must pass
  `Schema.check_label` (a node label or a bookkeeping label);
- a placeholder whose name ends in `type` (`{{type}}`) must pass
  `Schema.check_relationship_type`;
- a line holding `{{property}}` is written once for each property name the caller gives
  (`properties=`, in that order; none: the line is left out), and each name must be a property
  of the schema (of some label, or of relationships). Cypher cannot take a property key as a
  parameter in a plain `SET n.key = ...`, and a dynamic `n[key]` is slower.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from graph_model.schema import Schema, load_schema
from netzicht.errors import NetzichtError

CYPHER_DIR = Path(__file__).parent
_HEADER = re.compile(r"^//\s*(name|purpose|parameters):\s*(.*?)\s*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_PROPERTY = re.compile(r"\{\{\s*property\s*\}\}")
_PROPERTY_LINE = re.compile(r"^.*\{\{\s*property\s*\}\}.*(?:\n|$)", re.MULTILINE)
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


class CypherError(NetzichtError):
    """A statement file is malformed, or a statement was asked for with bad arguments."""


@dataclass(frozen=True)
class Statement:
    name: str
    purpose: str
    parameters: frozenset[str]
    placeholders: frozenset[str]
    text: str
    path: Path

    def parts(self) -> list[str]:
        """The statements of a multi-statement file (schema files), without comments."""
        body = _COMMENT.sub("", self.text)
        return [p.strip() for p in body.split(";") if p.strip()]


def _parse(path: Path) -> Statement:
    header: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        match = _HEADER.match(line)
        if match is None:
            if line.startswith("//"):
                continue
            break
        header[match.group(1)] = match.group(2)
    for key in ("name", "purpose", "parameters"):
        if not header.get(key):
            raise CypherError(f"{path}: line 1: the header has no `// {key}:` line")
    if header["name"] != path.stem:
        raise CypherError(f"{path}: `// name: {header['name']}` does not match the file name")
    text = "\n".join(lines).strip()
    code = _STRING.sub("''", _COMMENT.sub("", text))
    used = frozenset(_PARAM.findall(code))
    declared_raw = header["parameters"].strip()
    declared = (
        frozenset()
        if declared_raw == "none"
        else frozenset(p.strip().lstrip("$").split(" ")[0] for p in declared_raw.split(","))
    )
    if used != declared:
        raise CypherError(
            f"{path}: `// parameters:` declares {sorted(declared)} but the statement uses "
            f"{sorted(used)}"
        )
    placeholders = frozenset(_PLACEHOLDER.findall(code))
    for name in placeholders:
        if not name.endswith(("label", "type", "property")):
            raise CypherError(
                f"{path}: placeholder {{{{{name}}}}} is neither a label, a relationship type nor "
                "a property"
            )
        if name.endswith("property") and name != "property":
            raise CypherError(f"{path}: a property placeholder is written {{{{property}}}}")
    return Statement(header["name"], header["purpose"], declared, placeholders, text, path)


class Registry:
    """The named statements of one directory, rendered against one schema's allow-lists."""

    def __init__(self, directory: Path = CYPHER_DIR, schema: Schema | None = None) -> None:
        self.directory = directory
        self.schema = schema or load_schema()
        self.statements: dict[str, Statement] = {}
        for path in sorted(directory.glob("*.cypher")):
            statement = _parse(path)
            self.statements[statement.name] = statement
        self._rendered: dict[tuple[Any, ...], str] = {}
        self._properties = frozenset(self.schema.relationship_properties).union(
            *(node.properties for node in self.schema.nodes.values())
        )

    def __contains__(self, name: str) -> bool:
        return name in self.statements

    def get(self, name: str) -> Statement:
        try:
            return self.statements[name]
        except KeyError:
            raise CypherError(f"no Cypher statement named {name!r} in {self.directory}") from None

    def render(
        self, name: str, properties: Sequence[str] | None = None, **placeholders: str
    ) -> str:
        """The statement text with its placeholders filled in, after the allow-lists."""
        given_properties = None if properties is None else tuple(properties)
        key = (name, given_properties, tuple(sorted(placeholders.items())))
        cached = self._rendered.get(key)
        if cached is not None:
            return cached
        statement = self.get(name)
        given = set(placeholders) | ({"property"} if properties is not None else set())
        if given != statement.placeholders:
            raise CypherError(
                f"{statement.path}: needs placeholders {sorted(statement.placeholders)}, "
                f"got {sorted(given)}"
            )
        values: dict[str, str] = {}
        for slot, value in placeholders.items():
            try:
                if slot.endswith("label"):
                    values[slot] = self.schema.check_label(value)
                else:
                    values[slot] = self.schema.check_relationship_type(value)
            except NetzichtError as exc:
                raise CypherError(f"{statement.name}: {{{{{slot}}}}}: {exc}") from None
        for prop in properties or ():
            if prop not in self._properties:
                raise CypherError(
                    f"{statement.name}: {{{{property}}}}: {prop!r} is not a schema property"
                )
        text = _PROPERTY_LINE.sub(
            lambda m: "".join(_PROPERTY.sub(prop, m.group(0)) for prop in properties or ()),
            statement.text,
        )
        text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
        self._rendered[key] = text
        return text

    def query(
        self,
        name: str,
        parameters: Mapping[str, Any] | None = None,
        properties: Sequence[str] | None = None,
        **placeholders: str,
    ) -> tuple[str, dict[str, Any]]:
        """(text, parameters) ready for the driver; refuses unknown and missing parameters."""
        statement = self.get(name)
        params = dict(parameters or {})
        unknown = set(params) - statement.parameters
        if unknown:
            raise CypherError(
                f"{statement.name}: unknown parameter(s) {sorted(unknown)} "
                f"(declared: {sorted(statement.parameters) or 'none'})"
            )
        missing = statement.parameters - set(params)
        if missing:
            raise CypherError(f"{statement.name}: missing parameter(s) {sorted(missing)}")
        return self.render(name, properties, **placeholders), params


@cache
def default_registry() -> Registry:
    return Registry()
