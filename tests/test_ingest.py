"""The batch ingest: nothing lost, bad rows quarantined with reasons, re-ingest changes nothing."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph_model.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_paths
from netzicht.errors import InputFileError, MappingError
from tests.conftest import write

ENTITIES = """id,type,name,phone,iban,street,house_number,postcode,city,region,birth_date
p1,Person,  JAN de VRIES ,06-12345678,NL91ABNA0417164300,Damstraat,1,1012 JS,Amsterdam,Amsterdam,01-02-1980
p2,Person,Piet Jansen,+31 6 2345 6789,,,,,,,
ph1,Phone,,0612345678,,,,,,,
c1,Case,2024-001,,,,,,,Rotterdam,
x1,Dragon,bad,,,,,,,,
p3,Person,Bad Phone,12,,,,,,,
,Person,No Id,,,,,,,,
p4,Person,Bad Date,,,,,,,,31-02-1980
p5,Person,Bad Iban,,NL00ABNA0417164300,,,,,,
"""
RELATIONS = """source,target,type,date,weight
p1,p2,CALLED,2024-01-02,
p1,p2,CALLED,2024-01-03,2
p1,c1,SUSPECT_IN,2024-01-01,
p2,c1,VICTIM_IN,,
p1,zz,MET,,
p1,p2,EATS,,
c1,p1,SUSPECT_IN,,
p1,p2,CALLED,notadate,
"""


def generic_files(tmp_path: Path) -> list[Path]:
    return [
        write(tmp_path / "relations.csv", RELATIONS),
        write(tmp_path / "entities.csv", ENTITIES),
    ]


def test_every_row_is_ingested_or_quarantined_with_a_reason(
    store: SQLiteStore, tmp_path: Path
) -> None:
    summary = ingest_paths(store, generic_files(tmp_path), "acme", "generic", tmp_path / "q")
    for f in summary.files:
        assert f.rows_read == f.rows_ingested + f.rows_quarantined
    by_kind = {f.kind: f for f in summary.files}
    assert (by_kind["entities"].rows_read, by_kind["entities"].rows_quarantined) == (9, 5)
    assert (by_kind["relations"].rows_read, by_kind["relations"].rows_quarantined) == (8, 4)
    lines = Path(by_kind["entities"].quarantine_file or "").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    reasons = {r["line"]: (r["field"], r["reason"]) for r in records}
    assert reasons[6] == ("type", "unknown node label 'Dragon'")
    assert reasons[7][0] == "phone" and "invalid phone number '12'" in reasons[7][1]
    assert reasons[8] == ("id", "empty id")
    assert reasons[9][0] == "birth_date" and "impossible date" in reasons[9][1]
    assert reasons[10][0] == "iban"
    assert records[0]["row"]["name"] == "bad"  # the original row is kept
    relation_reasons = [q.reason for q in store.quarantine() if q.file.endswith("relations.csv")]
    assert "target entity 'zz' is not in source 'acme'" in " ".join(relation_reasons) or any(
        "entity 'zz' is not in source 'acme'" in r for r in relation_reasons
    )
    assert any("unknown relationship type 'EATS'" in r for r in relation_reasons)
    assert any("SUSPECT_IN cannot go from Case to Person" in r for r in relation_reasons)
    assert any("unparsable date 'notadate'" in r for r in relation_reasons)


def test_ingested_values_are_normalised_with_provenance(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_paths(store, generic_files(tmp_path), "acme", "generic", tmp_path / "q")
    person = store.get_node("Person:acme:p1")
    assert person is not None
    assert person.name == "Jan de Vries"
    assert person.properties["birth_date"] == "1980-02-01"
    assert [(s.source, s.record) for s in person.sources] == [("acme", "p1")]
    # Two spellings of one number are one phone node; the entity row and p1 both point at it.
    assert store.get_node("Phone:+31612345678") is not None
    assert store.get_node("Address:1012JS|1") is not None
    ties = {(t.src, t.type, t.dst): t for t in store.iter_ties()}
    called = ties[("Person:acme:p1", "CALLED", "Person:acme:p2")]
    assert (called.observations, called.weight) == (2, 3.0)
    assert (called.first_date, called.last_date) == ("2024-01-02", "2024-01-03")


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    tables = ["nodes", "node_prov", "edges", "edge_obs", "local_ids"]
    out = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    db.close()
    return out


def test_ingesting_the_same_files_twice_changes_nothing(store: SQLiteStore, tmp_path: Path) -> None:
    files = generic_files(tmp_path)
    ingest_paths(store, files, "acme", "generic", tmp_path / "q")
    before = dump(store.path)
    second = ingest_paths(store, files, "acme", "generic", tmp_path / "q")
    assert second.rows_read == 17
    assert dump(store.path) == before


def test_the_same_phone_from_two_sources_is_one_node_with_both_provenances(
    store: SQLiteStore, tmp_path: Path
) -> None:
    a = write(tmp_path / "a.csv", "id,type,name,phone\nx,Person,Ann,0612345678\n")
    (tmp_path / "b").mkdir()
    b = write(tmp_path / "b" / "a.csv", "id,type,name,phone\ny,Person,Bo,+31612345678\n")
    ingest_paths(store, [a], "police", "generic", tmp_path / "q")
    ingest_paths(store, [b], "fiu", "generic", tmp_path / "q")
    phone = store.get_node("Phone:+31612345678")
    assert phone is not None
    assert {s.source for s in phone.sources} == {"police", "fiu"}
    assert store.stats().nodes["Phone"] == 1


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("utf-8", ",", False), ("utf-8", ";", True), ("cp1252", ";", False), ("utf-8", "\t", False)],
)
def test_csv_encodings_and_delimiters_are_detected(
    store: SQLiteStore, tmp_path: Path, encoding: str, delimiter: str, bom: bool
) -> None:
    text = (
        delimiter.join(["id", "type", "name"])
        + "\n"
        + delimiter.join(["p1", "Person", "Zoë Müller"])
        + "\n"
    )
    raw = text.encode(encoding)
    path = tmp_path / "entities.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    summary = ingest_paths(store, [path], "s", "generic", tmp_path / "q")
    assert summary.rows_ingested == 1
    node = store.get_node("Person:s:p1")
    assert node is not None and node.name == "Zoë Müller"


def test_json_lines_and_xlsx_exports(store: SQLiteStore, tmp_path: Path) -> None:
    ads = tmp_path / "ads.jsonl"
    ads.write_text(
        '{"site": "s.example", "ad_id": "1", "text": "hoi", "phone": "0612345678", "posted": "2024-02-03"}\n'
        "{broken json\n"
        '{"site": "s.example", "ad_id": "2", "text": "hoi", "phone": "0612345678"}\n',
        encoding="utf-8",
    )
    summary = ingest_paths(store, [ads], "ads", "ads", tmp_path / "q")
    assert (summary.rows_read, summary.rows_ingested, summary.rows_quarantined) == (3, 2, 1)
    assert "invalid JSON" in store.quarantine()[0].reason
    assert store.quarantine()[0].line == 2

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "type", "name", "birth_date"])
    sheet.append(["e1", "Person", "Eva Smit", "1990-05-04"])
    sheet.append(["e2", "Organisation", "Flex B.V.", None])
    book.save(tmp_path / "entities.xlsx")
    summary = ingest_paths(store, [tmp_path / "entities.xlsx"], "nla", "generic", tmp_path / "q")
    assert summary.rows_ingested == 2
    eva = store.get_node("Person:nla:e1")
    assert eva is not None and eva.properties["birth_date"] == "1990-05-04"


def test_a_lone_surrogate_in_json_lines_is_quarantined_not_a_crash(
    store: SQLiteStore, tmp_path: Path
) -> None:
    # "\ud800" is half of a UTF-16 pair: valid JSON, but no UTF-8 text; the run used to stop
    # with a traceback in the store and leave the file half ingested.
    path = write(
        tmp_path / "entities.jsonl",
        '{"id": "p1", "type": "Person", "name": "Ann"}\n'
        '{"id": "p2", "type": "Person", "name": "Bad \\ud800 name"}\n'
        '{"id": "p3", "type": "Person", "name": "Emoji \\ud83d\\ude00 pair"}\n',
    )
    summary = ingest_paths(store, [path], "s", "generic", tmp_path / "q")
    assert (summary.rows_read, summary.rows_ingested, summary.rows_quarantined) == (3, 2, 1)
    record = store.quarantine()[0]
    assert (record.line, record.field) == (2, "name")
    assert "lone UTF-16 surrogate" in record.reason
    assert "\\ud800" in record.row["raw"]
    emoji = store.get_node("Person:s:p3")
    assert emoji is not None and emoji.name == "Emoji \U0001f600 Pair"


def test_ragged_csv_rows_are_quarantined_with_their_line(
    store: SQLiteStore, tmp_path: Path
) -> None:
    path = write(tmp_path / "entities.csv", "id,type,name\np1,Person,Ann\np2,Person,Bo,extra\n")
    summary = ingest_paths(store, [path], "s", "generic", tmp_path / "q")
    assert summary.rows_quarantined == 1
    record = store.quarantine()[0]
    assert (record.line, record.reason) == (3, "row has 4 fields, header has 3")


def test_an_unreadable_file_stops_the_run_before_anything_is_written(
    store: SQLiteStore, tmp_path: Path
) -> None:
    good = write(tmp_path / "entities.csv", "id,type,name\np1,Person,Ann\n")
    unknown = write(tmp_path / "other.csv", "foo,bar\n1,2\n")
    with pytest.raises(
        InputFileError, match=r"other\.csv: line 1: the header \(foo, bar\) matches no"
    ):
        ingest_paths(store, [good, unknown], "s", "generic", tmp_path / "q")
    with pytest.raises(InputFileError, match="no such file"):
        ingest_paths(store, [good, tmp_path / "missing.csv"], "s", "generic", tmp_path / "q")
    assert store.stats().nodes == {}
    assert store.runs() == []


def test_an_invalid_mapping_stops_the_run_naming_the_key(
    store: SQLiteStore, tmp_path: Path
) -> None:
    mapping = write(
        tmp_path / "bad.yaml",
        "name: bad\nfiles:\n  - header: [id]\n    nodes:\n      p: {label: Persn, record: '{id}'}\n",
    )
    data = write(tmp_path / "x.csv", "id\n1\n")
    with pytest.raises(
        MappingError, match=r"bad\.yaml: files\[0\]\.nodes\.p\.label: unknown node label 'Persn'"
    ):
        ingest_paths(store, [data], "s", mapping, tmp_path / "q")
    bad_edge = write(
        tmp_path / "bad2.yaml",
        "files:\n  - header: [a]\n    nodes:\n      p: {label: Phone, properties: {number: a}}\n"
        "    edges:\n      - {type: PHONED, from: p, to: p}\n",
    )
    with pytest.raises(MappingError, match=r"edges\[0\]\.type: unknown relationship type 'PHONED'"):
        ingest_paths(store, [data], "s", bad_edge, tmp_path / "q")
    bad_prop = write(
        tmp_path / "bad3.yaml",
        "files:\n  - header: [a]\n    nodes:\n      p: {label: Phone, properties: {colour: a}}\n",
    )
    with pytest.raises(MappingError, match=r"properties\.colour: no property 'colour' on Phone"):
        ingest_paths(store, [data], "s", bad_prop, tmp_path / "q")
    assert store.stats().nodes == {}


def test_a_reader_keeps_reading_while_an_ingest_writes(tmp_path: Path) -> None:
    rows = "\n".join(f"p{i},Person,Person {i},06{12000000 + i}" for i in range(6000))
    path = write(tmp_path / "entities.csv", "id,type,name,phone\n" + rows + "\n")
    writer = SQLiteStore(tmp_path / "shared.db")
    reader = SQLiteStore(tmp_path / "shared.db")
    counts: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                counts.append(sum(reader.stats().nodes.values()))
        except BaseException as exc:  # the test reports any failure of the reader
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        ingest_paths(writer, [path], "s", "generic", tmp_path / "q", batch_rows=500)
    finally:
        done.set()
        thread.join()
    assert not errors
    assert len(counts) > 1
    assert counts == sorted(counts)  # batches appear whole, in order, never rolled back
    assert sum(reader.stats().nodes.values()) == 12000
    writer.close()
    reader.close()
