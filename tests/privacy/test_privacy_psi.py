"""Private set intersection: real OpenMined PSI runs on small synthetic sets."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import private_set_intersection.python as om
import pytest

from netzicht.errors import InputFileError, NetzichtError
from netzicht.privacy import psi


def phones(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"+316{d:08d}" for d in rng.sample(range(10**8), n)]


@pytest.fixture(scope="module")
def parties() -> tuple[list[str], list[str], list[str]]:
    """Requester and responder sets (60 each) sharing 12 numbers."""
    pool = phones(108, seed=7)
    shared = pool[:12]
    ours = shared + pool[12:60]
    theirs = pool[60:108] + shared
    random.Random(1).shuffle(theirs)
    return ours, theirs, sorted(shared)


def test_reveal_mode_returns_own_matching_ids_sorted(parties) -> None:
    ours, theirs, shared = parties
    request, state = psi.create_request(ours)
    result = psi.finish(state, psi.respond(request, theirs))
    assert result.count == 12
    assert result.matches == shared


def test_count_only_on_a_reveal_request_gives_only_the_count(parties) -> None:
    ours, theirs, _ = parties
    request, state = psi.create_request(ours)
    result = psi.finish(state, psi.respond(request, theirs), count_only=True)
    assert result.count == 12
    assert result.matches is None


def test_count_only_request_is_answered_in_count_mode_and_cannot_reveal(parties) -> None:
    ours, theirs, _ = parties
    request, state = psi.create_request(ours, reveal_intersection=False)
    assert psi.inspect_bytes(request).mode == "count"
    response = psi.respond(request, theirs)
    assert psi.inspect_bytes(response).mode == "count"
    assert psi.finish(state, response, count_only=True).count == 12
    with pytest.raises(psi.PsiError, match="count-only"):
        psi.finish(state, response)


def test_count_mode_response_is_sorted_so_positions_reveal_nothing(parties, monkeypatch) -> None:
    ours, theirs, _ = parties
    monkeypatch.setattr(psi, "MIN_CHUNK", 5)  # several chunks: sort the whole answer, not each
    request, _ = psi.create_request(ours, reveal_intersection=False, workers=3)
    response = psi.respond(request, theirs, workers=3)
    body = response.split(b"\n", 1)[1]
    header = json.loads(response.split(b"\n", 1)[0])
    sizes = {p["name"]: p["size"] for p in header["parts"]}
    message = om.Response()
    message.ParseFromString(body[sizes["setup"] :])
    elements = list(message.encrypted_elements)
    assert len(elements) == len(ours)
    assert elements == sorted(elements)


def test_no_raw_identifier_in_request_or_response(parties) -> None:
    ours, theirs, _ = parties
    request, state = psi.create_request(ours)
    response = psi.respond(request, theirs)
    for blob in (request, response):
        for value in ours + theirs:
            digits = re.sub(r"\D", "", value)
            national = "0" + digits[2:]
            for form in (value, digits, national):
                assert form.encode() not in blob
    # The state does hold them: that is why it stays with the requester.
    assert ours[0].encode() in state


def test_response_for_another_request_is_refused(parties) -> None:
    ours, theirs, _ = parties
    _, state_a = psi.create_request(ours)
    request_b, _ = psi.create_request(ours)
    response_b = psi.respond(request_b, theirs)
    with pytest.raises(InputFileError, match="answers request"):
        psi.finish(state_a, response_b)


def test_wrong_key_finds_nothing_even_with_forged_request_id(parties) -> None:
    ours, theirs, _ = parties
    request_a, state_a = psi.create_request(ours)
    request_b, _ = psi.create_request(ours)  # same identifiers, other key
    response_b = psi.respond(request_b, theirs)
    id_a = psi.inspect_bytes(request_a).request_id
    id_b = psi.inspect_bytes(request_b).request_id
    forged = response_b.replace(id_b.encode(), id_a.encode(), 1)
    assert psi.inspect_bytes(forged).request_id == id_a
    result = psi.finish(state_a, forged)
    assert result.count == 0
    assert result.matches == []


def test_duplicates_are_dropped_and_empty_sets_work(parties) -> None:
    ours, theirs, shared = parties
    request, state = psi.create_request(ours + ours[:5])
    assert psi.inspect_bytes(request).elements == len(ours)
    assert psi.finish(state, psi.respond(request, theirs + theirs)).matches == shared
    request, state = psi.create_request([])
    assert psi.finish(state, psi.respond(request, theirs)) == psi.PsiResult(count=0, matches=[])
    request, state = psi.create_request(ours)
    assert psi.finish(state, psi.respond(request, [])).count == 0


def test_threaded_chunks_give_the_same_answer(parties, monkeypatch) -> None:
    ours, theirs, shared = parties
    monkeypatch.setattr(psi, "MIN_CHUNK", 4)
    request, state = psi.create_request(ours, workers=3)
    response = psi.respond(request, theirs, workers=3)
    assert psi.finish(state, response, workers=3).matches == shared
    assert psi.finish(state, response, workers=1).matches == shared


def test_responder_policies(parties) -> None:
    ours, theirs, _ = parties
    request, _ = psi.create_request(ours)
    with pytest.raises(psi.PsiError, match="more than the 10"):
        psi.respond(request, theirs, max_request_size=10)
    with pytest.raises(psi.PsiError, match="only answers count-only"):
        psi.respond(request, theirs, allow_reveal=False)
    count_request, count_state = psi.create_request(ours, reveal_intersection=False)
    response = psi.respond(count_request, theirs, allow_reveal=False)
    assert psi.finish(count_state, response, count_only=True).count == 12
    with pytest.raises(psi.PsiError, match="false-positive rate"):
        psi.respond(request, theirs, fpr=1e-6)


def test_bad_identifiers_are_refused() -> None:
    with pytest.raises(psi.PsiError, match="#2: identifier contains a NUL"):
        psi.create_request(["+31612345678", "a\x00b"])
    with pytest.raises(psi.PsiError, match="longer than 256"):
        psi.create_request(["x" * 257])


# --- files ------------------------------------------------------------------------------------


def write_ids(path: Path, ids: list[str]) -> Path:
    path.write_text("\n".join(ids) + "\n", encoding="utf-8")
    return path


def test_file_round_trip_between_two_directories(tmp_path: Path, parties) -> None:
    ours, theirs, shared = parties
    req_dir, resp_dir = tmp_path / "requester", tmp_path / "responder"
    req_dir.mkdir()
    resp_dir.mkdir()
    info = psi.request_files(
        write_ids(req_dir / "ids.txt", ours), req_dir / "s.psi", req_dir / "r.psi"
    )
    assert info.kind == "request" and info.elements == len(ours)
    assert (req_dir / "s.psi").stat().st_mode & 0o777 == 0o600
    (resp_dir / "r.psi").write_bytes((req_dir / "r.psi").read_bytes())
    psi.respond_files(resp_dir / "r.psi", write_ids(resp_dir / "ids.txt", theirs), resp_dir / "a")
    result = psi.finish_files(req_dir / "s.psi", resp_dir / "a")
    assert result.matches == shared


def test_state_file_readable_by_others_is_refused(tmp_path: Path, parties) -> None:
    _, state = psi.create_request(parties[0])
    path = psi.write_state(tmp_path / "state.psi", state)
    path.chmod(0o644)
    with pytest.raises(InputFileError, match=r"state\.psi.*group/others"):
        psi.read_state(path)


@pytest.fixture
def request_file(tmp_path: Path, parties) -> Path:
    request, _ = psi.create_request(parties[0][:5])
    return psi.write_request(tmp_path / "case.request", request)


def test_wrong_kind_names_the_file(request_file: Path) -> None:
    with pytest.raises(InputFileError) as err:
        psi.read_response(request_file)
    assert str(request_file) in str(err.value)
    assert "is a PSI request file, expected a PSI response file" in str(err.value)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:-7], "truncated or corrupt"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "checksum mismatch"),
        (lambda b: b"hello world", "no header line"),
        (lambda b: b"{not json}\n" + b, "header is not JSON"),
        (lambda b: b'{"format":"other"}\n', "format marker missing"),
        (lambda b: b.replace(b'"version":1', b'"version":9', 1), "version 9 is not supported"),
        (lambda b: b.replace(b'"mode":"reveal"', b'"mode":"both"', 1), "corrupt PSI header"),
    ],
)
def test_corrupt_request_files_name_the_file(request_file: Path, damage, message: str) -> None:
    request_file.write_bytes(damage(request_file.read_bytes()))
    with pytest.raises(InputFileError, match=message) as err:
        psi.read_request(request_file)
    assert str(request_file) in str(err.value)


def test_missing_file_is_an_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.psi"):
        psi.read_request(tmp_path / "nope.psi")


def test_errors_are_netzicht_errors() -> None:
    assert issubclass(psi.PsiError, NetzichtError)


# --- read_ids ---------------------------------------------------------------------------------


def test_read_ids_strips_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes(b"  +31612345678 \r\n\n\t\n+31687654321\n" + b"y" * 256)
    assert psi.read_ids(path) == ["+31612345678", "+31687654321", "y" * 256]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"ok\nbad\x00id\n", r"ids\.txt:2: line contains a NUL byte"),
        (b"ok\n\n" + b"x" * 257 + b"\n", r"ids\.txt:3: identifier is 257 characters"),
        (b"\xff\xfe\n", r"ids\.txt:1: not valid UTF-8"),
    ],
)
def test_read_ids_names_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        psi.read_ids(path)


def test_read_ids_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot read identifier file"):
        psi.read_ids(tmp_path / "absent.txt")
