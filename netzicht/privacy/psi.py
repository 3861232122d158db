"""Private set intersection (PSI) over identifier strings, exchanged as files.

Two parties each hold a list of identifiers (phone numbers, IBANs, ...). The *requester* wants to
know which of its own identifiers the *responder* also holds (or only how many), without either
side handing over its list. Three steps, each producing a file:

1. requester: :func:`create_request` -> request file (sent) + state file (kept, mode 0600);
2. responder: :func:`respond` -> response file (sent back);
3. requester: :func:`finish` -> :class:`PsiResult`.

Protocol: OpenMined PSI 2.x (ECDH over P-256 with Golomb-compressed sets; the construction of
Ion et al., "On deploying secure computing: private intersection-sum-with-cardinality", 2020,
without the sum). Each identifier x is hashed to the curve; the requester sends H(x)^c, the
responder returns H(x)^(cs) for those and sends a compressed set of H(y)^s for its own y; the
requester strips c and tests membership. The false-positive rate is for the whole query and is
1e-9 or stricter.

What each side learns (semi-honest model — both follow the protocol):

- the responder learns the *number* of identifiers in the request, nothing else;
- the requester learns the intersection (or only its size, in count-only mode) and roughly the
  size of the responder's set (from the size of the compressed set).

Limits: a requester can put guessed identifiers in its request; for small spaces such as Dutch
mobile numbers (10^8) the responder must cap the request size (``max_request_size``) and may
refuse reveal mode (``allow_reveal=False``). Count-only vs reveal is fixed when the requester's
key is made, so the mode travels in the request and the responder answers in the same mode.

Files are a one-line JSON header (format marker, version, kind, mode, request id, parts with
sizes and SHA-256) followed by the binary parts; see :func:`inspect_bytes`. The request id binds a
response to the state it answers. Example::

    >>> request, state = create_request(["+31612345678", "+31687654321"])
    >>> response = respond(request, ["+31612345678", "+31600000000"])
    >>> finish(state, response).matches
    ['+31612345678']
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import private_set_intersection.python as psi
from google.protobuf.message import DecodeError
from pydantic import BaseModel

from netzicht.errors import InputFileError, NetzichtError

FORMAT = "netzicht-psi"
VERSION = 1
BACKEND = f"openmined-psi {psi.__version__}"
DEFAULT_FPR = 1e-9
MAX_ID_LENGTH = 256
DEFAULT_MAX_REQUEST_SIZE = 1_000_000
# Below this many identifiers per chunk, threads cost more than they save.
MIN_CHUNK = 4096
_KEY_BYTES = 32
_MAX_HEADER_BYTES = 64 * 1024

Kind = Literal["request", "response", "state"]
Mode = Literal["reveal", "count"]
T = TypeVar("T")
R = TypeVar("R")


class PsiError(NetzichtError):
    """A PSI step cannot be carried out as asked (mode mismatch, request too large, bad id)."""


class PsiResult(BaseModel):
    """What the requester learns: the size of the intersection and, in reveal mode, its own
    identifiers that the responder also holds (sorted)."""

    count: int
    matches: list[str] | None


@dataclass(frozen=True)
class PsiFileInfo:
    """The header of a PSI file: what kind it is and which request it belongs to."""

    kind: Kind
    version: int
    mode: Mode
    request_id: str
    elements: int


# --- identifiers ------------------------------------------------------------------------------


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise PsiError(f"{where}: identifier must be a string, got {type(value).__name__}")
    if not value:
        raise PsiError(f"{where}: empty identifier")
    if "\x00" in value:
        raise PsiError(f"{where}: identifier contains a NUL byte")
    if len(value) > MAX_ID_LENGTH:
        raise PsiError(f"{where}: identifier longer than {MAX_ID_LENGTH} characters")
    return value


def _unique_ids(ids: Iterable[str], side: str) -> list[str]:
    seen: dict[str, None] = {}
    for i, value in enumerate(ids, start=1):
        seen[_check_id(value, f"{side} identifier #{i}")] = None
    return list(seen)


def read_ids(path: str | os.PathLike[str]) -> list[str]:
    """Read one identifier per line (UTF-8), stripping whitespace and skipping blank lines.

    Identifiers must already be normalised by the caller (e.g. E.164 phone numbers); PSI matches
    exact strings. Raises :class:`InputFileError` naming the file and line for a NUL byte, a line
    longer than 256 characters, or bytes that are not UTF-8.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read identifier file: {exc.strerror}") from exc
    ids: list[str] = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{p}:{lineno}: not valid UTF-8 ({exc.reason})") from exc
        if "\x00" in text:
            raise InputFileError(f"{p}:{lineno}: line contains a NUL byte")
        value = text.strip()
        if len(value) > MAX_ID_LENGTH:
            raise InputFileError(
                f"{p}:{lineno}: identifier is {len(value)} characters, "
                f"more than the {MAX_ID_LENGTH} allowed"
            )
        if value:
            ids.append(value)
    return ids


# --- envelope ---------------------------------------------------------------------------------


def _pack(kind: Kind, mode: Mode, request_id: str, elements: int, **parts: bytes) -> bytes:
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "backend": BACKEND,
        "mode": mode,
        "request_id": request_id,
        "elements": elements,
        "parts": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in parts.items()
        ],
    }
    line = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii")
    return line + b"\n" + b"".join(parts.values())


def _unpack(data: bytes, expected: Kind | None, name: str) -> tuple[PsiFileInfo, dict[str, bytes]]:
    end = data.find(b"\n", 0, _MAX_HEADER_BYTES)
    if end < 0:
        raise InputFileError(f"{name}: not a netzicht PSI file (no header line)")
    try:
        header = json.loads(data[:end].decode("ascii"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputFileError(f"{name}: not a netzicht PSI file (header is not JSON)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputFileError(f"{name}: not a netzicht PSI file (format marker missing)")
    if header.get("version") != VERSION:
        raise InputFileError(
            f"{name}: PSI file version {header.get('version')!r} is not supported "
            f"(this netzicht reads version {VERSION})"
        )
    kind = header.get("kind")
    if kind not in ("request", "response", "state"):
        raise InputFileError(f"{name}: unknown PSI file kind {kind!r}")
    if expected is not None and kind != expected:
        raise InputFileError(f"{name}: is a PSI {kind} file, expected a PSI {expected} file")
    mode = header.get("mode")
    request_id = header.get("request_id")
    elements = header.get("elements")
    parts_meta = header.get("parts")
    if (
        mode not in ("reveal", "count")
        or not isinstance(request_id, str)
        or not isinstance(elements, int)
        or not isinstance(parts_meta, list)
        or not all(
            isinstance(m, dict)
            and isinstance(m.get("name"), str)
            and isinstance(m.get("size"), int)
            and m["size"] >= 0
            and isinstance(m.get("sha256"), str)
            for m in parts_meta
        )
    ):
        raise InputFileError(f"{name}: corrupt PSI header")
    body = memoryview(data)[end + 1 :]
    declared = sum(m["size"] for m in parts_meta)
    if declared != len(body):
        raise InputFileError(
            f"{name}: truncated or corrupt: payload is {len(body)} bytes, "
            f"header declares {declared}"
        )
    parts: dict[str, bytes] = {}
    offset = 0
    for meta in parts_meta:
        chunk = bytes(body[offset : offset + meta["size"]])
        offset += meta["size"]
        if hashlib.sha256(chunk).hexdigest() != meta["sha256"]:
            raise InputFileError(f"{name}: corrupt: checksum mismatch in part {meta['name']!r}")
        parts[meta["name"]] = chunk
    return PsiFileInfo(kind, VERSION, mode, request_id, elements), parts


def _part(parts: dict[str, bytes], key: str, name: str) -> bytes:
    if key not in parts:
        raise InputFileError(f"{name}: corrupt: part {key!r} missing")
    return parts[key]


def inspect_bytes(data: bytes, *, name: str = "<psi data>") -> PsiFileInfo:
    """Read and check the header (and checksums) of any PSI file: request, response or state."""
    return _unpack(data, None, name)[0]


def _parse_proto(message: T, blob: bytes, name: str, what: str) -> T:
    try:
        message.ParseFromString(blob)  # type: ignore[attr-defined]
    except DecodeError:
        raise InputFileError(f"{name}: corrupt: cannot decode the {what}") from None
    return message


# --- parallel helpers -------------------------------------------------------------------------


def _workers(workers: int | None) -> int:
    if workers is None:
        return min(4, os.cpu_count() or 1)
    if workers < 1:
        raise PsiError(f"workers must be at least 1, got {workers}")
    return workers


def _chunks(items: Sequence[T], workers: int) -> list[Sequence[T]]:
    n = max(1, min(workers, len(items) // MIN_CHUNK))
    size = -(-len(items) // n) if items else 1
    return [items[i : i + size] for i in range(0, len(items), size)] or [items]


def _map(fn: Callable[[T], R], chunks: Sequence[T], workers: int) -> list[R]:
    # OpenMined's C++ calls release the GIL, so threads use every core.
    if workers == 1 or len(chunks) == 1:
        return [fn(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, chunks))


# --- protocol ---------------------------------------------------------------------------------


def create_request(
    ids: Iterable[str], *, reveal_intersection: bool = True, workers: int | None = None
) -> tuple[bytes, bytes]:
    """Make the requester's first message and its private state.

    Returns ``(request_bytes, state_bytes)``. The request holds only blinded identifiers
    H(x)^c, in random order. The state holds the client key and the requester's own identifiers:
    it never leaves the requester (write it with :func:`write_state`, mode 0600). Duplicates are
    dropped. ``reveal_intersection=False`` makes a count-only request: the responder sorts its
    answer so that only the size of the intersection can be learnt.
    """
    unique = _unique_ids(ids, "requester")
    secrets.SystemRandom().shuffle(unique)
    mode: Mode = "reveal" if reveal_intersection else "count"
    client = psi.client.CreateWithNewKey(reveal_intersection)
    key = client.GetPrivateKeyBytes()
    n = _workers(workers)

    def encrypt(chunk: Sequence[str]) -> list[bytes]:
        c = psi.client.CreateFromKey(key, reveal_intersection)
        return list(c.CreateRequest(list(chunk)).encrypted_elements)

    request = psi.Request()
    request.reveal_intersection = reveal_intersection
    for part in _map(encrypt, _chunks(unique, n), n):
        request.encrypted_elements.extend(part)
    request_id = secrets.token_hex(16)
    state_json = json.dumps(
        {"client_key": base64.b64encode(key).decode("ascii"), "ids": unique},
        ensure_ascii=False,
    ).encode("utf-8")
    return (
        _pack("request", mode, request_id, len(unique), request=request.SerializeToString()),
        _pack("state", mode, request_id, len(unique), state=state_json),
    )


def respond(
    request: bytes,
    ids: Iterable[str],
    *,
    fpr: float = DEFAULT_FPR,
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE,
    allow_reveal: bool = True,
    workers: int | None = None,
    request_name: str = "<request>",
) -> bytes:
    """Answer a request with the responder's own identifiers.

    The response holds the requester's blinded identifiers re-blinded with the responder's key
    (order kept in reveal mode, sorted in count-only mode) and a Golomb-compressed set of the
    responder's blinded identifiers. The responder learns only how many identifiers the request
    holds. Refuses requests larger than ``max_request_size`` (guessing attacks on small identifier
    spaces) and, with ``allow_reveal=False``, requests that are not count-only.
    """
    if not 0.0 < fpr <= DEFAULT_FPR:
        raise PsiError(f"false-positive rate must be in (0, {DEFAULT_FPR}], got {fpr}")
    info, parts = _unpack(request, "request", request_name)
    req = _parse_proto(
        psi.Request(), _part(parts, "request", request_name), request_name, "request"
    )
    reveal = info.mode == "reveal"
    size = len(req.encrypted_elements)
    if req.reveal_intersection != reveal or size != info.elements:
        raise InputFileError(f"{request_name}: corrupt: header does not match the request body")
    if size > max_request_size:
        raise PsiError(
            f"{request_name}: request holds {size} identifiers, more than the "
            f"{max_request_size} this responder accepts"
        )
    if reveal and not allow_reveal:
        raise PsiError(
            f"{request_name}: request asks to reveal the intersection; this responder only "
            "answers count-only requests"
        )
    own = _unique_ids(ids, "responder")
    server = psi.server.CreateWithNewKey(reveal)
    key = server.GetPrivateKeyBytes()
    n = _workers(workers)
    elements = list(req.encrypted_elements)

    def setup_task() -> bytes:
        # num_client_inputs scales the per-element rate; an empty request still needs 1.
        setup = server.CreateSetupMessage(fpr, max(1, size), own, psi.DataStructure.GCS)
        return bytes(setup.SerializeToString())

    def process(chunk: Sequence[bytes]) -> list[bytes]:
        sub = psi.Request()
        sub.reveal_intersection = reveal
        sub.encrypted_elements.extend(chunk)
        return list(psi.server.CreateFromKey(key, reveal).ProcessRequest(sub).encrypted_elements)

    with ThreadPoolExecutor(max_workers=n) as pool:
        setup_future = pool.submit(setup_task)
        answered = [pool.submit(process, c) for c in _chunks(elements, n)]
        blinded = [e for f in answered for e in f.result()]
        setup_bytes = setup_future.result()
    if not reveal:
        # Sorting the whole answer (not per chunk) hides which request position matched.
        blinded.sort()
    response = psi.Response()
    response.encrypted_elements.extend(blinded)
    return _pack(
        "response",
        info.mode,
        info.request_id,
        size,
        setup=setup_bytes,
        response=response.SerializeToString(),
    )


def finish(
    state: bytes,
    response: bytes,
    *,
    count_only: bool = False,
    workers: int | None = None,
    state_name: str = "<state>",
    response_name: str = "<response>",
) -> PsiResult:
    """Compute the result from the requester's state and the responder's response.

    ``matches`` are the requester's own identifiers that the responder holds, sorted; ``None``
    with ``count_only``. A response made for another request is refused (request ids differ);
    even with a forged request id the requester's key does not fit and nothing matches.
    """
    s_info, s_parts = _unpack(state, "state", state_name)
    r_info, r_parts = _unpack(response, "response", response_name)
    if r_info.request_id != s_info.request_id:
        raise InputFileError(
            f"{response_name}: this response answers request {r_info.request_id[:12]}, "
            f"but state {state_name} belongs to request {s_info.request_id[:12]}"
        )
    if s_info.mode == "count" and not count_only:
        raise PsiError(
            f"{state_name}: the request was count-only; the matches cannot be revealed "
            "(finish with count_only / --count-only)"
        )
    try:
        payload = json.loads(_part(s_parts, "state", state_name).decode("utf-8"))
        key = base64.b64decode(payload["client_key"], validate=True)
        own: list[str] = payload["ids"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InputFileError(f"{state_name}: corrupt PSI state") from None
    if (
        len(key) != _KEY_BYTES
        or not isinstance(own, list)
        or len(own) != s_info.elements
        or not all(isinstance(x, str) for x in own)
    ):
        raise InputFileError(f"{state_name}: corrupt PSI state (key or identifiers)")
    setup = _parse_proto(
        psi.ServerSetup(), _part(r_parts, "setup", response_name), response_name, "setup"
    )
    resp = _parse_proto(
        psi.Response(), _part(r_parts, "response", response_name), response_name, "response"
    )
    elements = list(resp.encrypted_elements)
    if len(elements) != len(own):
        raise InputFileError(
            f"{response_name}: response holds {len(elements)} answers for a request of {len(own)}"
        )
    reveal = s_info.mode == "reveal"
    n = _workers(workers)
    chunks = _chunks(elements, n)

    def to_response(chunk: Sequence[bytes]) -> Any:
        sub = psi.Response()
        sub.encrypted_elements.extend(chunk)
        return sub

    def positions(chunk: Sequence[bytes]) -> list[int]:
        client = psi.client.CreateFromKey(key, reveal)
        return list(client.GetIntersection(setup, to_response(chunk)))

    def size(chunk: Sequence[bytes]) -> int:
        client = psi.client.CreateFromKey(key, reveal)
        return int(client.GetIntersectionSize(setup, to_response(chunk)))

    try:
        if count_only:
            return PsiResult(count=sum(_map(size, chunks, n)), matches=None)
        matches: list[str] = []
        offset = 0
        for chunk, found in zip(chunks, _map(positions, chunks, n), strict=True):
            matches.extend(own[offset + i] for i in found)
            offset += len(chunk)
    except RuntimeError as exc:
        raise InputFileError(f"{response_name}: cannot process response: {exc}") from None
    matches.sort()
    return PsiResult(count=len(matches), matches=matches)


# --- files ------------------------------------------------------------------------------------


def _write_private(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write atomically (temp file + rename) with mode 0600."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def _read(path: str | os.PathLike[str], kind: Kind) -> bytes:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read PSI {kind} file: {exc.strerror}") from exc
    _unpack(data, kind, str(p))
    return data


def write_request(path: str | os.PathLike[str], request: bytes) -> Path:
    """Write a request file (no raw identifiers in it; safe to send)."""
    _unpack(request, "request", "<request>")
    return _write_private(path, request)


def write_response(path: str | os.PathLike[str], response: bytes) -> Path:
    """Write a response file (no raw identifiers in it; safe to send back)."""
    _unpack(response, "response", "<response>")
    return _write_private(path, response)


def write_state(path: str | os.PathLike[str], state: bytes) -> Path:
    """Write the requester's state with mode 0600: it holds the key and the raw identifiers."""
    _unpack(state, "state", "<state>")
    return _write_private(path, state)


def read_request(path: str | os.PathLike[str]) -> bytes:
    """Read and check a request file; :class:`InputFileError` names the file if it is bad."""
    return _read(path, "request")


def read_response(path: str | os.PathLike[str]) -> bytes:
    """Read and check a response file; :class:`InputFileError` names the file if it is bad."""
    return _read(path, "response")


def read_state(path: str | os.PathLike[str]) -> bytes:
    """Read a state file, refusing one that group or others can access (it holds a key)."""
    p = Path(path)
    try:
        mode = p.stat().st_mode & 0o777
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read PSI state file: {exc.strerror}") from exc
    if mode & 0o077:
        raise InputFileError(
            f"{p}: PSI state file is accessible to group/others (mode {mode:04o}); "
            "it holds a private key — chmod 600"
        )
    return _read(p, "state")


def request_files(
    ids_path: str | os.PathLike[str],
    state_path: str | os.PathLike[str],
    request_path: str | os.PathLike[str],
    *,
    reveal_intersection: bool = True,
    workers: int | None = None,
) -> PsiFileInfo:
    """Requester, step 1: identifier file -> state file (0600) + request file."""
    request, state = create_request(
        read_ids(ids_path), reveal_intersection=reveal_intersection, workers=workers
    )
    write_state(state_path, state)
    write_request(request_path, request)
    return inspect_bytes(request)


def respond_files(
    request_path: str | os.PathLike[str],
    ids_path: str | os.PathLike[str],
    response_path: str | os.PathLike[str],
    *,
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE,
    allow_reveal: bool = True,
    workers: int | None = None,
) -> PsiFileInfo:
    """Responder, step 2: request file + identifier file -> response file."""
    response = respond(
        read_request(request_path),
        read_ids(ids_path),
        max_request_size=max_request_size,
        allow_reveal=allow_reveal,
        workers=workers,
        request_name=str(request_path),
    )
    write_response(response_path, response)
    return inspect_bytes(response)


def finish_files(
    state_path: str | os.PathLike[str],
    response_path: str | os.PathLike[str],
    *,
    count_only: bool = False,
    workers: int | None = None,
) -> PsiResult:
    """Requester, step 3: state file + response file -> result."""
    return finish(
        read_state(state_path),
        read_response(response_path),
        count_only=count_only,
        workers=workers,
        state_name=str(state_path),
        response_name=str(response_path),
    )
