"""Reading one value of a row: a column (optionally mapped), a constant or a template.

`evaluate` and `matches` state the rules. `compile_value` and `compile_condition` turn a spec
into a closure that follows the same rules without re-reading the spec for every row, because
an ingest evaluates millions of values; tests/test_ingest_values.py checks the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.mapping import Condition, ValueSpec
from netzicht.errors import RowError

# Values agencies use for "nothing here"; treated as empty.
MISSING = frozenset({"", "null", "none", "n/a", "na", "onbekend", "unknown", "-"})
_TEMPLATE_SPLIT = re.compile(r"\{([^{}]+)\}")

Row = dict[str, str]
Getter = Callable[[Row], str | None]
Test = Callable[[Row], bool]


def is_missing(value: str | None) -> bool:
    if not value:
        return True
    # Only short values can be a "missing" marker; skip the strip/lower for the rest.
    return len(value) <= 12 and value.strip().lower() in MISSING


_TOKEN = re.compile(r"\{([^{}]+)\}")


def template(text: str, row: Row) -> str:
    """Fill `{column}` tokens in one pass: a filled-in value is never read as a token again,
    and a token naming a column the file does not have is left as it is."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in row:
            return match.group(0)
        value = row[key]
        return "" if is_missing(value) else value.strip()

    return " ".join(_TOKEN.sub(fill, text).split()).strip(" ,|")


def evaluate(spec: ValueSpec, row: Row) -> str | None:
    if spec.value is not None:
        return spec.value
    if spec.template is not None:
        text = template(spec.template, row)
        return text or spec.default
    raw = row.get(spec.column or "")
    if is_missing(raw):
        return spec.default
    assert raw is not None
    value = raw.strip()
    if spec.mapping is not None:
        mapped = spec.mapping.get(value, spec.mapping.get(value.lower()))
        if mapped is None:
            if spec.default is not None:
                return spec.default
            raise RowError(spec.column or "?", f"unexpected value {value!r}")
        return mapped
    return value


def matches(cond: Condition | None, row: Row) -> bool:
    if cond is None:
        return True
    raw = row.get(cond.column)
    if cond.not_empty:
        return not is_missing(raw)
    return raw is not None and cond.values is not None and raw.strip() in cond.values


def compile_value(spec: ValueSpec) -> Getter:
    if spec.value is not None:
        constant = spec.value
        return lambda row: constant
    if spec.template is not None:
        return _compile_template(spec.template, spec.default)
    return _compile_column(spec.column or "", spec.mapping, spec.default)


def _compile_column(column: str, mapping: dict[str, str] | None, default: str | None) -> Getter:
    if mapping is None:

        def get(row: Row) -> str | None:
            raw = row.get(column)
            if not raw or (len(raw) <= 12 and raw.strip().lower() in MISSING):
                return default
            return raw.strip()

        return get
    table = mapping
    field_name = column or "?"

    def get_mapped(row: Row) -> str | None:
        raw = row.get(column)
        if not raw or (len(raw) <= 12 and raw.strip().lower() in MISSING):
            return default
        value = raw.strip()
        mapped = table.get(value)
        if mapped is None:
            mapped = table.get(value.lower())
        if mapped is None:
            if default is not None:
                return default
            raise RowError(field_name, f"unexpected value {value!r}")
        return mapped

    return get_mapped


def _compile_template(text: str, default: str | None) -> Getter:
    parts = _TEMPLATE_SPLIT.split(text)
    head, fields, tails = parts[0], parts[1::2], parts[2::2]
    steps = list(zip(fields, tails, strict=True))
    if len(steps) == 1 and not head and not steps[0][1]:
        return _compile_single_field(text, fields[0], default)

    def get(row: Row) -> str | None:
        out = [head]
        for name, tail in steps:
            value = row.get(name)
            if value is None:
                out.append("{" + name + "}")  # `template` leaves tokens of absent columns
            elif value and not (len(value) <= 12 and value.strip().lower() in MISSING):
                out.append(value.strip())  # one pass, like `template`: braces stay literal
            out.append(tail)
        return " ".join("".join(out).split()).strip(" ,|") or default

    return get


def _compile_single_field(text: str, name: str, default: str | None) -> Getter:
    # "{id}" is the most common template (record ids): the general loop, without the loop.
    def get(row: Row) -> str | None:
        value = row.get(name)
        if value is None:
            return text
        if "{" in value or "}" in value:
            return template(text, row) or default
        if not value or (len(value) <= 12 and value.strip().lower() in MISSING):
            return default
        return " ".join(value.split()).strip(" ,|") or default

    return get


def compile_condition(cond: Condition | None) -> Test | None:
    if cond is None:
        return None
    column = cond.column
    if cond.not_empty:
        return lambda row: not is_missing(row.get(column))
    values = cond.values
    if values is None:
        return lambda row: False

    def test(row: Row) -> bool:
        raw = row.get(column)
        return raw is not None and raw.strip() in values

    return test
