"""Readers for CSV, JSON Lines and XLSX exports. Each yields (line number, row) pairs.

`open_table` checks a file can be read at all (exists, encoding, header) before the run writes
anything; a row that is malformed on its own (ragged CSV line, bad JSON) comes back as a
`BadRow` so it can be quarantined without stopping the run.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netzicht.errors import InputFileError

csv.field_size_limit(16 * 1024 * 1024)
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
Keep = Callable[[int], bool]


@dataclass(frozen=True)
class BadRow:
    reason: str
    raw: str
    field: str = ""


@dataclass
class Table:
    path: Path
    format: str
    header: list[str]
    encoding: str = "utf-8"
    delimiter: str = ","

    def rows(self, keep: Keep | None = None) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
        """(line, row) pairs; with `keep`, only the items whose position (0, 1, … over every
        item the file yields, bad rows included) it accepts, skipping the parse of the rest."""
        if self.format == "csv":
            return _csv_rows(self, keep)
        if self.format == "jsonl":
            return _jsonl_rows(self, keep)
        return _xlsx_rows(self, keep)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else cp1252.

    The whole file is checked — cheaply, in chunks — because a cp1252 byte late in a file would
    otherwise fail mid-run, after rows were written.
    """
    with open(path, "rb") as handle:
        head = handle.read(3)
        encoding = "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return encoding


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _clean_header(header: list[str], path: Path) -> list[str]:
    cleaned = [h.strip().lstrip("\ufeff").strip() for h in header]
    if not any(cleaned):
        raise InputFileError(f"{path}: line 1: empty header")
    dupes = sorted({h for h in cleaned if cleaned.count(h) > 1})
    if dupes:
        raise InputFileError(f"{path}: line 1: duplicate column(s) {', '.join(dupes)}")
    return cleaned


def open_table(path: Path) -> Table:
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in {".jsonl", ".ndjson"}:
            return _open_jsonl(path)
        if suffix in {".xlsx", ".xlsm"}:
            return _open_xlsx(path)
        if suffix in {".csv", ".tsv", ".txt"}:
            return _open_csv(path)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    raise InputFileError(f"{path}: unknown file type {suffix!r} (use .csv, .tsv, .jsonl or .xlsx)")


def _open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if not sample.strip():
        raise InputFileError(f"{path}: empty file")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(sample)
    header = next(csv.reader([sample.splitlines()[0]], delimiter=delimiter))
    return Table(path, "csv", _clean_header(header, path), encoding, delimiter)


def _csv_rows(table: Table, keep: Keep | None) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
    width = len(table.header)
    header = table.header
    position = -1
    with open(table.path, encoding=table.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=table.delimiter)
        next(reader, None)
        line = reader.line_num
        for values in reader:
            # line_num counts physical lines, so quoted newlines keep numbers right.
            start = line + 1
            line = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            position += 1
            if keep is not None and not keep(position):
                continue
            if len(values) != width:
                yield (
                    start,
                    BadRow(
                        f"row has {len(values)} fields, header has {width}",
                        table.delimiter.join(values),
                    ),
                )
                continue
            yield start, dict(zip(header, values, strict=True))


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _open_jsonl(path: Path) -> Table:
    encoding = detect_encoding(path)
    keys: dict[str, None] = {}
    with open(path, encoding=encoding) as handle:
        for count, text in enumerate(handle):
            if count >= 1000:
                break
            try:
                obj = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
    if not keys:
        raise InputFileError(f"{path}: no JSON objects in the first 1000 lines")
    return Table(path, "jsonl", list(keys), encoding)


def _jsonl_rows(table: Table, keep: Keep | None) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
    position = -1
    with open(table.path, encoding=table.encoding) as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            position += 1
            if keep is not None and not keep(position):
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield line, BadRow(f"invalid JSON: {exc.msg} at column {exc.colno}", text.rstrip())
                continue
            if not isinstance(obj, dict):
                yield line, BadRow("a line must hold a JSON object", text.rstrip())
                continue
            row = {str(k): _scalar(v) for k, v in obj.items()}
            # JSON may spell half of a UTF-16 pair ("\\ud800"); Python then holds a lone
            # surrogate, which no store can encode. Only a line with such an escape is checked.
            if "\\ud" in text or "\\uD" in text:
                broken = _lone_surrogate_field(row)
                if broken is not None:
                    reason = "not valid Unicode text: a lone UTF-16 surrogate (half a \\u pair)"
                    yield line, BadRow(reason, text.rstrip(), broken)
                    continue
            yield line, row


def _lone_surrogate_field(row: dict[str, str]) -> str | None:
    """The first field (or key) holding a lone surrogate, None when the row encodes cleanly."""
    for key, value in row.items():
        for text in (key, value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return key.encode("utf-8", "backslashreplace").decode("ascii")
    return None


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputFileError(f"{path}: not a readable XLSX workbook: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
    finally:
        book.close()
    if not first:
        raise InputFileError(f"{path}: the first sheet is empty")
    return Table(path, "xlsx", _clean_header([_scalar(v) for v in first], path))


def _xlsx_rows(table: Table, keep: Keep | None) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
    from openpyxl import load_workbook

    book = load_workbook(table.path, read_only=True, data_only=True)
    position = -1
    try:
        sheet = book.worksheets[0]
        width = len(table.header)
        for line, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = [_xlsx_cell(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            position += 1
            if keep is not None and not keep(position):
                continue
            if any(c.strip() for c in cells[width:]):
                yield line, BadRow(f"row has values beyond the {width} header columns", str(cells))
                continue
            cells = (cells + [""] * width)[:width]
            yield line, dict(zip(table.header, cells, strict=True))
    finally:
        book.close()


def _xlsx_cell(value: Any) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _scalar(value)
