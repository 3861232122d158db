"""The fast paths of the ingest agree with the general code they stand in for."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from graph_model.store.base import EdgeRecord, NodeRecord, WriteBatch
from graph_model.store.sqlite import PreparedWrite, SQLiteStore
from ingest.mapping import Condition, ValueSpec
from ingest.normalise import _normalise_compact_iban
from ingest.pipeline import ingest_paths
from ingest.values import compile_condition, compile_value, evaluate, matches
from netzicht.errors import RowError, StoreError
from tests.conftest import write
from tests.test_ingest import dump


def _nl_iban(rng: random.Random) -> str:
    bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    account = f"{rng.randrange(10**10):010d}"
    check = stdnum_iban.calc_check_digits(f"NL00{bank}{account}")
    return f"NL{check}{bank}{account}"


def test_the_dutch_iban_fast_path_agrees_with_stdnum() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        good = _nl_iban(rng)
        variants = [good, good[:2] + f"{(int(good[2:4]) + 1) % 100:02d}" + good[4:]]
        position = rng.randrange(4, len(good))
        variants.append(good[:position] + rng.choice("0123456789") + good[position + 1 :])
        for value in variants:
            try:
                expected: str | None = stdnum_iban.validate(value)
            except ValidationError:
                expected = None
            try:
                got: str | None = _normalise_compact_iban.__wrapped__(value)
            except ValueError:
                got = None
            assert got == expected, value


# -- compiled value specs agree with `evaluate` -----------------------------------------------

_COLUMNS = ["a", "b", "c"]
_cell = st.one_of(
    st.sampled_from(["", " ", "n/a", "NULL", "x", " y ", "{b}", "a}", "{", "1, 2", "|z|", "Ja"]),
    st.text(alphabet="ab{} ,|-xyNA", max_size=14),
)
_row = st.dictionaries(st.sampled_from(_COLUMNS), _cell)
_spec = st.one_of(
    st.builds(ValueSpec, column=st.sampled_from([*_COLUMNS, "absent"])),
    st.builds(
        ValueSpec,
        column=st.sampled_from(_COLUMNS),
        mapping=st.just({"x": "X", "ja": "yes", "{b}": "B"}),
        default=st.sampled_from([None, "d"]),
    ),
    st.builds(
        ValueSpec,
        template=st.sampled_from(
            ["{a}", "{a} {b}, {c}", "{{a}}", "{a}{b}", "x {absent} {a}", " {c} |", "{a}{a}"]
        ),
        default=st.sampled_from([None, "d"]),
    ),
    st.builds(ValueSpec, value=st.sampled_from(["v", ""])),
)


def _outcome(get: Callable[[], str | None]) -> tuple[str, str | None]:
    try:
        return ("ok", get())
    except RowError as exc:
        return ("error", str(exc))


@settings(max_examples=1500, deadline=None)
@given(_spec, _row)
def test_compiled_value_specs_agree_with_evaluate(spec: ValueSpec, row: dict[str, str]) -> None:
    compiled = compile_value(spec)
    assert _outcome(lambda: compiled(row)) == _outcome(lambda: evaluate(spec, row))


@given(st.sampled_from(_COLUMNS), st.sampled_from([None, frozenset({"x", "Ja"})]), _row)
def test_compiled_conditions_agree_with_matches(
    column: str, values: frozenset[str] | None, row: dict[str, str]
) -> None:
    cond = Condition(column=column, values=values, not_empty=values is None)
    test = compile_condition(cond)
    assert test is not None
    assert test(row) == matches(cond, row)


# -- the node memo gives every row its own outcome ------------------------------------------


def test_repeated_rows_each_get_their_own_outcome(store: SQLiteStore, tmp_path: Path) -> None:
    rows = ["p1,Person,Ann,12", "p2,Person,Bo,12", "p3,Person,Cy,0612345678"] * 3
    text = "id,type,name,phone\n" + "\n".join(f"{i}{r}" for i, r in enumerate(rows)) + "\n"
    path = write(tmp_path / "entities.csv", text)
    summary = ingest_paths(store, [path], "s", "generic", tmp_path / "q")
    assert (summary.rows_ingested, summary.rows_quarantined) == (3, 6)
    assert [(q.line, q.field) for q in store.quarantine()] == [
        (2, "phone"),
        (3, "phone"),
        (5, "phone"),
        (6, "phone"),
        (8, "phone"),
        (9, "phone"),
    ]
    phone = store.get_node("Phone:+31612345678")
    assert phone is not None
    assert sorted(s.record for s in phone.sources) == ["2p3", "5p3", "8p3"]


# -- staged writes, merged later, store exactly what batches written one by one store -----------------------------


def _tricky_batch() -> WriteBatch:
    names = ["Zoë", "emoji \U0001f600", 'quote " and \\ back', "tab\there", "", "long " * 20]
    batch = WriteBatch()
    for i, name in enumerate(names):
        uid = f"Person:s:{i}"
        props = {"name": name, "n": i, "ok": True, "f": 0.1 * i}
        batch.nodes.append(
            NodeRecord(uid, "Person", name, props, "s", f"r{i}", f"2024-01-0{i + 1}")
        )
        batch.nodes.append(NodeRecord(uid, "Person", "", {"extra": "x"}, "t", "r", None))
        batch.edges.append(
            EdgeRecord(uid, "CALLED", "Person:s:0", {"amount": 770.69 * i}, "s", f"e{i}", None, 0.3)
        )
    return batch


@pytest.mark.parametrize("merge_rows", [1, 10**9])
def test_staged_writes_merged_later_store_what_batch_writes_store(
    tmp_path: Path, merge_rows: int
) -> None:
    odd = NodeRecord("Person:s:odd", "Person", "nul \x00 char", {}, "s", "o")
    first, second = _tricky_batch(), _tricky_batch()  # the second merges into the first's rows
    first.nodes.append(odd)
    second.nodes[0] = NodeRecord(
        "Person:s:0", "Person", "Later", {"name": "Later", "n": 9}, "u", "x"
    )
    writes = [(first, "2024-05-01T00:00:00+00:00"), (second, "2024-05-02T00:00:00+00:00")]
    now = SQLiteStore(tmp_path / "now.db")
    staged = SQLiteStore(tmp_path / "staged.db")
    staged.merge_rows = merge_rows  # 1: a merge after every batch; 10**9: one merge at the end
    for batch, at in writes:
        now.write_batch(batch, at)
        staged.write_prepared(SQLiteStore.prepare_write(batch), at)
    staged.flush()
    person = staged.get_node("Person:s:0")
    assert person is not None and person.name == "Zoë"  # first value wins
    assert person.properties["n"] == 0
    assert sorted(s.source for s in person.sources) == ["s", "t", "u"]
    now.close()
    staged.close()
    assert dump(tmp_path / "now.db") == dump(tmp_path / "staged.db")


def test_nothing_staged_is_lost_when_the_store_closes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.write_prepared(SQLiteStore.prepare_write(_tricky_batch()), "2024-05-01T00:00:00+00:00")
    assert sum(SQLiteStore(tmp_path / "s.db").stats().nodes.values()) == 0  # not merged yet
    store.close()
    assert SQLiteStore(tmp_path / "s.db").stats().nodes == {"Person": 6}


# -- background writes ------------------------------------------------------------------------


class _FailingStore(SQLiteStore):
    """A real store whose second batch write fails, as a full disk would."""

    writes = 0

    def write_prepared(self, prepared: PreparedWrite, ingested_at: str) -> None:
        self.writes += 1
        if self.writes == 2:
            raise StoreError("disk full")
        super().write_prepared(prepared, ingested_at)


def test_a_failing_background_write_stops_the_ingest(tmp_path: Path) -> None:
    rows = "\n".join(f"p{i},Person,Person {i}" for i in range(50))
    path = write(tmp_path / "entities.csv", "id,type,name\n" + rows + "\n")
    failing = _FailingStore(tmp_path / "f.db")
    with pytest.raises(StoreError, match="disk full"):
        ingest_paths(failing, [path], "s", "generic", tmp_path / "q", batch_rows=10)
    assert failing.writes == 2  # nothing is written after the failure
    failing.close()  # what was written before it is kept
    assert SQLiteStore(tmp_path / "f.db").stats().nodes == {"Person": 10}
