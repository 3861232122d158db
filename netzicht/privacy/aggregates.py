"""Safe aggregate tables for sharing trends between agencies.

Two ways to make a count table (e.g. cases per region x month x phenomenon) fit to share:

**Small-cell suppression** (:func:`suppress`). The published table holds every cell and every
margin (totals over any set of dimensions, marked ``TOTAL``), all computed from the full data.

- *Primary*: a cell or margin with ``0 < count < k`` is suppressed.
- *True zeros are published.* "No cases here" is shown as 0: it is common practice, keeps tables
  readable and does not point at a person; a partner who thinks an empty cell discloses
  something (group disclosure) must not share that table.
- *Complementary*: a suppressed count must not be recoverable from the rest. Every line (the
  cells along one dimension with the others fixed, plus its total) is an equation
  ``sum(cells) = total``. A suppressed cell is *exactly recoverable* when its unit vector lies in
  the row space of those equations restricted to the suppressed cells; this is checked exactly
  per connected block with an SVD null space (not just "one suppressed cell per line", which
  misses cells linked through other lines). Suppressed cells with value 0 would let
  non-negativity pin their neighbours, so they are treated as known in the check and never
  chosen as complements. For each recoverable cell a complement is suppressed in one of its
  lines: the smallest non-zero published cell, interior cells before margins; then the check is
  repeated until nothing is recoverable (a fixed point; every line ends with 0 or >= 2
  suppressed cells).

  Not audited: *interval* disclosure (a suppressed cell shown to lie in a narrow range, which
  needs per-cell linear programming as in tau-Argus) and integer-programming attacks on tables
  of three or more dimensions where suppressed cells equal 1. Use the ``k`` your covenant sets.

**Differential privacy** (:func:`dp_counts`). Every cell of the full grid gets discrete Laplace
(geometric) noise from OpenDP, calibrated so that one person who contributes at most
``max_contributions`` to the table changes the output distribution by at most ``epsilon``
(pure epsilon-DP, Dwork et al. 2006), then is clamped to >= 0 (post-processing, no extra cost).
OpenDP draws noise from the operating system's CSPRNG and cannot be seeded; a seeded release
would also let anyone who knows the seed subtract the noise, so ``seed`` must be ``None``.
Each release spends budget; :class:`PrivacyBudget` keeps a ledger and refuses releases that
would exceed the total (sequential composition: epsilons add up).

Example::

    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["A", "A", "B", "B"], "month": [1, 2, 1, 2],
    ...                    "n": [3, 40, 25, 30]})
    >>> t = suppress(df, ["region", "month"], "n", k=10)
    >>> t.counts[("A", 1)] is None, t.counts[("A", 2)] is None   # primary + complementary
    (True, True)
"""

from __future__ import annotations

import fcntl
import functools
import json
import math
import os
import tempfile
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from netzicht.errors import InputFileError, NetzichtError

TOTAL = "TOTAL"
_TOL = 1e-7


class AggregateInputError(NetzichtError):
    """The count table cannot be aggregated as asked (missing column, negative count, ...)."""


class PrivacyBudgetError(NetzichtError):
    """The privacy-budget ledger cannot be used as asked."""


class BudgetExceeded(PrivacyBudgetError):
    """A release would spend more epsilon than the ledger has left; nothing was released."""


# --- the full grid ----------------------------------------------------------------------------


def _sorted_levels(values: Sequence[Hashable]) -> list[Hashable]:
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=repr)


def _grid(
    df: pd.DataFrame,
    dims: Sequence[str],
    count_col: str,
    levels: Mapping[str, Sequence[Hashable]] | None = None,
) -> tuple[list[list[Hashable]], np.ndarray]:
    """Validate and sum ``df`` into a dense array over the levels of each dimension."""
    dims = list(dims)
    if not dims:
        raise AggregateInputError("at least one dimension column is needed")
    if len(set(dims)) != len(dims) or count_col in dims:
        raise AggregateInputError(
            f"dimension columns must be distinct from each other and "
            f"from the count column: {dims} / {count_col!r}"
        )
    missing = [c for c in [*dims, count_col] if c not in df.columns]
    if missing:
        raise AggregateInputError(f"column(s) {missing} not in the table ({list(df.columns)})")
    counts = df[count_col]
    if counts.isna().any():
        raise AggregateInputError(f"column {count_col!r}: missing counts")
    if not pd.api.types.is_numeric_dtype(counts) or pd.api.types.is_bool_dtype(counts):
        raise AggregateInputError(f"column {count_col!r}: counts must be numbers")
    values = counts.to_numpy(dtype=float)
    if (values < 0).any() or (values != np.round(values)).any():
        raise AggregateInputError(f"column {count_col!r}: counts must be whole numbers >= 0")
    for d in dims:
        if df[d].isna().any():
            raise AggregateInputError(f"column {d!r}: missing dimension values")
        if (df[d] == TOTAL).any():
            raise AggregateInputError(f"column {d!r}: the value {TOTAL!r} is reserved for margins")
    lv: list[list[Hashable]] = []
    for d in dims:
        observed = list(pd.unique(df[d]))
        if levels is not None and d in levels:
            allowed = list(levels[d])
            allowed_set = set(allowed)
            extra = [v for v in observed if v not in allowed_set]
            if extra:
                raise AggregateInputError(f"column {d!r}: values {extra[:5]} not in the levels")
            lv.append(list(allowed))
        else:
            lv.append(_sorted_levels(observed))
    arr = np.zeros([len(x) for x in lv], dtype=np.int64)
    codes = tuple(
        pd.Categorical(df[d], categories=lv[i]).codes.astype(np.int64) for i, d in enumerate(dims)
    )
    np.add.at(arr, codes, values.astype(np.int64))
    return lv, arr


def _with_margins(arr: np.ndarray) -> np.ndarray:
    """Extend every axis by one slot holding the total over that axis (all margin orders)."""
    ext = np.zeros([n + 1 for n in arr.shape], dtype=np.int64)
    ext[tuple(slice(0, n) for n in arr.shape)] = arr
    for axis, n in enumerate(arr.shape):
        body = [slice(None)] * arr.ndim
        body[axis] = slice(0, n)
        total = [slice(None)] * arr.ndim
        total[axis] = n  # type: ignore[call-overload]
        ext[tuple(total)] = ext[tuple(body)].sum(axis=axis)
    return ext


def _lines(shape: tuple[int, ...]) -> np.ndarray:
    """Every line as a row of flat cell indices; the last index of a row is its total."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    rows = [np.moveaxis(index, axis, -1).reshape(-1, shape[axis]) for axis in range(len(shape))]
    width = max(r.shape[1] for r in rows)
    # Pad to one width with -1 so lines of different dimensions fit in one array.
    padded = [np.pad(r, ((0, 0), (width - r.shape[1], 0)), constant_values=-1) for r in rows]
    return np.vstack(padded)


# --- suppression ------------------------------------------------------------------------------


def _padded(mask: np.ndarray) -> np.ndarray:
    """``mask`` plus one False slot at the end, so the line padding index -1 reads False."""
    return np.append(mask, False)


def _recoverable(lines: np.ndarray, unknown: np.ndarray) -> list[int]:
    """Flat indices of unknown cells whose value follows exactly from the line equations."""
    is_unknown = _padded(unknown)
    mask = is_unknown[lines]
    per_line = mask.sum(axis=1)
    single = lines[per_line == 1][mask[per_line == 1]]
    if single.size:
        return sorted(set(single.tolist()))
    touched = lines[per_line >= 2]
    if touched.size == 0:
        return []
    # Union-find over unknown cells that share a line: blocks are solved separately.
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    line_cells = [row[is_unknown[row]].tolist() for row in touched]
    for cells in line_cells:
        root = find(cells[0])
        for c in cells[1:]:
            parent[find(c)] = root
    blocks: dict[int, list[int]] = {}
    for i, cells in enumerate(line_cells):
        blocks.setdefault(find(cells[0]), []).append(i)
    found: list[int] = []
    for line_ids in blocks.values():
        cols = sorted({c for i in line_ids for c in line_cells[i]})
        pos = {c: j for j, c in enumerate(cols)}
        a = np.zeros((len(line_ids), len(cols)))
        for r, i in enumerate(line_ids):
            row = touched[i]
            total = row[-1]
            for c in line_cells[i]:
                a[r, pos[c]] = -1.0 if c == total else 1.0
        # e_c lies in the row space iff its projection onto the right singular vectors of
        # the non-zero singular values has length 1 (equivalently: no null vector moves c).
        _, sv, vt = np.linalg.svd(a, full_matrices=False)
        rank = int((sv > _TOL * max(1.0, float(sv[0]))).sum()) if sv.size else 0
        slack = 1.0 - (vt[:rank] ** 2).sum(axis=0)
        found.extend(c for c, left in zip(cols, slack, strict=True) if left < 1e-10)
    return sorted(found)


@dataclass(frozen=True)
class SuppressedTable:
    """A count table with margins, ready to publish.

    ``table`` has the dimension columns (``TOTAL`` in margin rows), ``count_col`` as a nullable
    integer (``<NA>`` where suppressed) and ``status``: ``published``, ``primary`` or
    ``complementary``.
    """

    table: pd.DataFrame
    dims: tuple[str, ...]
    count_col: str
    k: int

    @property
    def counts(self) -> dict[tuple[Hashable, ...], int | None]:
        """``{(dim values...): count or None}`` for every cell and margin."""
        out: dict[tuple[Hashable, ...], int | None] = {}
        columns = [*self.dims, self.count_col]
        for *key, v in self.table[columns].itertuples(index=False, name=None):
            out[tuple(key)] = None if pd.isna(v) else int(v)
        return out

    @property
    def primary(self) -> int:
        return int((self.table["status"] == "primary").sum())

    @property
    def complementary(self) -> int:
        return int((self.table["status"] == "complementary").sum())


def suppress(df: pd.DataFrame, dims: Sequence[str], count_col: str, k: int = 10) -> SuppressedTable:
    """Primary and complementary small-cell suppression of a count table with all margins.

    See the module docstring for the rules. ``df`` may hold several rows per cell; they are
    summed. Cells are the product of the observed values of each dimension (absent = 0).
    """
    if not isinstance(k, int) or k < 1:
        raise AggregateInputError(f"k must be a whole number >= 1, got {k!r}")
    dims = list(dims)
    lv, arr = _grid(df, dims, count_col)
    ext = _with_margins(arr)
    shape = ext.shape
    flat = ext.reshape(-1)
    lines = _lines(shape)
    primary = (flat > 0) & (flat < k)
    suppressed = primary.copy()
    # How many coordinates of a cell are TOTAL: interior cells (0) are preferred as complements.
    coords = np.indices(shape).reshape(len(shape), -1)
    margin_order = (coords == (np.array(shape) - 1)[:, None]).sum(axis=0)
    cell_lines: list[list[int]] = [[] for _ in range(flat.size)]
    for li, row in enumerate(lines):
        for c in row[row >= 0]:
            cell_lines[int(c)].append(li)

    while True:
        # Suppressed zeros give no slack (x >= 0), so only positive suppressed cells are unknown.
        recoverable = _recoverable(lines, suppressed & (flat > 0))
        if not recoverable:
            break
        used_lines: set[int] = set()
        for cell in recoverable:
            own = cell_lines[cell]
            if used_lines.intersection(own):
                continue
            choice = _complement(lines, own, suppressed, flat, margin_order)
            if choice is None:
                # Nothing left in the cell's own lines: widen to every line that holds a
                # suppressed cell. Terminates: once every non-zero cell is suppressed, the true
                # table itself is a null vector touching every unknown.
                touching = np.flatnonzero(_padded(suppressed & (flat > 0))[lines].any(axis=1))
                choice = _complement(lines, touching.tolist(), suppressed, flat, margin_order)
            if choice is None:
                raise AggregateInputError(f"cannot protect cell {cell}: no cell left to suppress")
            suppressed[choice] = True
            used_lines.update(own)
            used_lines.update(cell_lines[choice])

    status = np.where(primary, "primary", np.where(suppressed, "complementary", "published"))
    columns: dict[str, Any] = {}
    for axis, d in enumerate(dims):
        labels = np.array([*lv[axis], TOTAL], dtype=object)
        columns[d] = labels[coords[axis]]
    columns[count_col] = pd.array(np.where(suppressed, 0, flat), dtype="Int64")
    table = pd.DataFrame(columns)
    table.loc[suppressed, count_col] = pd.NA
    table["status"] = status
    return SuppressedTable(table=table, dims=tuple(dims), count_col=count_col, k=k)


def _complement(
    lines: np.ndarray,
    line_ids: list[int],
    suppressed: np.ndarray,
    flat: np.ndarray,
    margin_order: np.ndarray,
) -> int | None:
    """The best published non-zero cell in the given lines: interior first, then smallest."""
    best: tuple[int, int, int] | None = None
    for li in line_ids:
        row = lines[li]
        for c in row[row >= 0].tolist():
            if suppressed[c] or flat[c] == 0:
                continue
            key = (int(margin_order[c]), int(flat[c]), c)
            if best is None or key < best:
                best = key
    return None if best is None else best[2]


# --- differential privacy ---------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _laplace_measurement(epsilon: float, max_contributions: int) -> tuple[Any, float]:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    domain = dp.vector_domain(dp.atom_domain(T="i64"))
    metric = dp.l1_distance(T="i64")

    def make(scale: float) -> Any:
        return dp.m.make_laplace(domain, metric, scale=scale)

    # The smallest scale whose proven loss for this many contributions is <= epsilon.
    scale = float(dp.binary_search_param(make, d_in=max_contributions, d_out=epsilon))
    return make(scale), scale


def dp_counts(
    df: pd.DataFrame,
    dims: Sequence[str],
    count_col: str,
    epsilon: float,
    *,
    max_contributions: int = 1,
    levels: Mapping[str, Sequence[Hashable]] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Noisy counts for every cell of the grid, epsilon-differentially private.

    ``max_contributions`` bounds how much one person can change the table in total (L1): 1 when
    each person is counted once; clip upstream if a person can appear in several cells.
    ``levels`` gives the public values of each dimension; values taken from the data are
    treated as public (a level seen only because of one person would itself disclose).
    Returns the grid with ``count_col`` noised and clamped to >= 0; ``attrs`` holds
    ``epsilon`` and ``noise_scale``. ``seed`` must be ``None``: OpenDP cannot be seeded.
    """
    if seed is not None:
        raise AggregateInputError(
            "dp_counts cannot be seeded: OpenDP draws noise from the OS CSPRNG, and noise that "
            "can be replayed from a seed can be subtracted"
        )
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
        raise AggregateInputError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    if not isinstance(max_contributions, int) or max_contributions < 1:
        raise AggregateInputError(f"max_contributions must be >= 1, got {max_contributions!r}")
    dims = list(dims)
    lv, arr = _grid(df, dims, count_col, levels)
    measurement, scale = _laplace_measurement(float(epsilon), max_contributions)
    noisy = np.asarray(measurement(arr.reshape(-1).tolist()), dtype=np.int64)
    noisy = np.maximum(noisy, 0).reshape(arr.shape)
    index = pd.MultiIndex.from_product(lv, names=dims)
    out = pd.DataFrame({count_col: noisy.reshape(-1)}, index=index).reset_index()
    out.attrs["epsilon"] = float(epsilon)
    out.attrs["noise_scale"] = scale
    return out


# --- budget ledger ----------------------------------------------------------------------------


class BudgetEntry(BaseModel):
    """One release charged to the budget."""

    export_id: str
    ts: str
    epsilon: float
    description: str


class PrivacyBudget:
    """A JSON ledger of epsilon spent per export, with a fixed total.

    ``PrivacyBudget(path, total_epsilon=3.0)`` creates the ledger if it does not exist;
    afterwards the total is read from the file (passing a different one is refused, so a budget
    cannot be raised by accident). :meth:`spend` is atomic under a file lock.
    """

    FORMAT = "netzicht-privacy-budget"
    VERSION = 1

    def __init__(self, path: str | os.PathLike[str], total_epsilon: float | None = None):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        with self._locked():
            if self.path.exists():
                data = self._load()
                if total_epsilon is not None and not math.isclose(
                    total_epsilon, data["total_epsilon"]
                ):
                    raise PrivacyBudgetError(
                        f"{self.path}: ledger total is {data['total_epsilon']}, "
                        f"not {total_epsilon}; the total of an existing ledger cannot be changed"
                    )
            else:
                if total_epsilon is None:
                    raise PrivacyBudgetError(f"{self.path}: no ledger yet; give total_epsilon")
                if not (math.isfinite(total_epsilon) and total_epsilon > 0):
                    raise PrivacyBudgetError(f"total_epsilon must be > 0, got {total_epsilon}")
                self._save({"total_epsilon": float(total_epsilon), "entries": []})

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputFileError(f"{self.path}: cannot read budget ledger: {exc.strerror}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputFileError(f"{self.path}: budget ledger is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != self.FORMAT:
            raise InputFileError(f"{self.path}: not a netzicht privacy-budget ledger")
        if data.get("version") != self.VERSION:
            raise InputFileError(f"{self.path}: ledger version {data.get('version')!r} unsupported")
        try:
            total = float(data["total_epsilon"])
            entries = [BudgetEntry(**e) for e in data["entries"]]
        except (KeyError, TypeError, ValueError):
            raise InputFileError(f"{self.path}: budget ledger is corrupt") from None
        return {"total_epsilon": total, "entries": entries}

    def _save(self, data: dict[str, Any]) -> None:
        doc = {
            "format": self.FORMAT,
            "version": self.VERSION,
            "total_epsilon": data["total_epsilon"],
            "entries": [
                e.model_dump() if isinstance(e, BudgetEntry) else e for e in data["entries"]
            ],
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @property
    def total(self) -> float:
        return float(self._load()["total_epsilon"])

    def entries(self) -> list[BudgetEntry]:
        return list(self._load()["entries"])

    def spent(self) -> float:
        return math.fsum(e.epsilon for e in self.entries())

    def remaining(self) -> float:
        data = self._load()
        return data["total_epsilon"] - math.fsum(e.epsilon for e in data["entries"])

    def spend(self, export_id: str, epsilon: float, description: str) -> BudgetEntry:
        """Charge ``epsilon`` for one export, or raise :class:`BudgetExceeded` (nothing charged)."""
        if not export_id.strip():
            raise PrivacyBudgetError("export_id must not be empty")
        if not (math.isfinite(epsilon) and epsilon > 0):
            raise PrivacyBudgetError(f"epsilon must be a finite number > 0, got {epsilon}")
        with self._locked():
            data = self._load()
            entries: list[BudgetEntry] = data["entries"]
            if any(e.export_id == export_id for e in entries):
                raise PrivacyBudgetError(f"{self.path}: export {export_id!r} is already recorded")
            spent = math.fsum(e.epsilon for e in entries)
            total = data["total_epsilon"]
            # A relative tolerance so that 0.1 + 0.2 may use up a budget of 0.3 exactly.
            if spent + epsilon > total * (1 + 1e-12):
                raise BudgetExceeded(
                    f"{self.path}: export {export_id!r} needs epsilon {epsilon:g}, "
                    f"but only {max(0.0, total - spent):g} of {total:g} is left"
                )
            entry = BudgetEntry(
                export_id=export_id,
                ts=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                epsilon=float(epsilon),
                description=description,
            )
            self._save({"total_epsilon": total, "entries": [*entries, entry]})
        return entry


def dp_export(
    df: pd.DataFrame,
    dims: Sequence[str],
    count_col: str,
    epsilon: float,
    *,
    budget: PrivacyBudget,
    export_id: str,
    description: str,
    max_contributions: int = 1,
    levels: Mapping[str, Sequence[Hashable]] | None = None,
) -> pd.DataFrame:
    """Charge the budget, then release :func:`dp_counts`. The charge comes first: a release
    that fails after charging wastes budget but can never leak uncharged."""
    budget.spend(export_id, epsilon, description)
    return dp_counts(
        df, dims, count_col, epsilon, max_contributions=max_contributions, levels=levels
    )
