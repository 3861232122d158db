"""Entity resolution of person records: blocking, pairwise scoring, clusters.

The method is the classic record-linkage pipeline (Fellegi & Sunter 1969, JASA 64:1183;
Christen 2012, *Data Matching*):

1. **Blocking.** Each record gets a few keys; only records that share a key are compared.
   Keys: phonetic name token + full birth date (survives a typo in the other token, initials,
   token order), phonetic token pair, every phonetic token alone (a surveillance record has a
   name and nothing else: "E. Hoekstra" or "Faour Eze" shares no token pair with "Esther
   Hoekstra" or "Favour Eze"), and every shared identifier (phone, e-mail, IBAN, document
   number, address). A block larger than ``max_block`` is skipped and reported — a key that
   common ("Jansen" without a birth date) cannot tell people apart anyway, and comparing it is
   quadratic.
2. **Scoring.** A pair's score is a sum of agreement weights (log-likelihood style, in bits):
   names, birth date, shared identifiers weighted down by how many people share them,
   nationality. An identifier several people share (a house of eight workers) keeps its full
   weight for a pair whose names agree when nobody else holding it bears that name (see
   `_alone_with_name`). Every pair keeps the contributions as its evidence.
3. **Context.** With the records' surroundings (`records.load_context`), look-alike pairs that
   attributes cannot decide get a second look after a first resolution: shared contacts and
   supporting pairs (see `analytics.resolution.collective`).
4. **Decision.** ``score >= auto_threshold`` merges; ``suggest_threshold <= score`` goes to the
   review queue; decisions taken earlier (accepted / rejected) override the score.
5. **Clusters.** Union-find over the merged pairs; a cluster is named by its smallest record uid.

Deterministic links (a shared IBAN, document number, e-mail or phone held by few records) are
high weights within the same sum, so a shared phone between two clearly different names does
not merge them: one prepaid phone is often used for several victims.

>>> from analytics.resolution.records import PersonRecord
>>> a = PersonRecord("Person:police:P1", "police", "Jan de Vries", "1990-04-03")
>>> b = PersonRecord("Person:fiu:K9", "fiu", "J. de Vries", "1990-04-03")
>>> result = resolve([a, b])
>>> result.clusters["Person:fiu:K9"] == result.clusters["Person:police:P1"]
True
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

import numpy as np

from analytics.resolution.names import (
    NameTokens,
    blocking_tokens,
    name_similarity,
    name_tokens,
    phonetic,
)
from analytics.resolution.records import PersonRecord, Surroundings

log = logging.getLogger(__name__)

AUTO_THRESHOLD = 8.0
SUGGEST_THRESHOLD = 5.0
MAX_BLOCK = 60
MAX_HOLDERS = MAX_BLOCK  # an identifier held by more people than a block holds is a hub


@dataclass(frozen=True)
class Weights:
    """Agreement weights in bits; the defaults were set by reasoning, then checked on synth data."""

    name_exact: float = 4.0
    name_close: float = 3.0  # >= 0.92
    name_similar: float = 2.0  # >= 0.85
    name_weak: float = 0.0  # >= 0.75
    name_different: float = -3.0  # >= 0.6
    name_conflict: float = -6.0
    birth_equal: float = 5.0
    birth_near: float = 1.0  # same year, day and month swapped or one of them differs
    birth_conflict: float = -6.0
    phone: float = 6.0
    email: float = 6.0
    iban: float = 7.0
    document_equal: float = 9.0
    document_conflict: float = -9.0
    address: float = 4.0  # same postcode + house number, held by these two records only
    nationality_conflict: float = -1.5
    context: float = 5.0  # in touch with the same people (see collective.py)
    # A name this close lets an identifier shared by several people count in full when nobody
    # else holding it bears the name.
    alone_min_name: float = 0.93


_WEIGHTS = Weights()


@dataclass(frozen=True)
class ResolverConfig:
    auto_threshold: float = AUTO_THRESHOLD
    suggest_threshold: float = SUGGEST_THRESHOLD
    max_block: int = MAX_BLOCK
    workers: int = 2  # processes that score candidate pairs (fork; 1 = in process)
    context_floor: float = 3.0  # pairs from here up are reconsidered with their context
    context_min_name: float = 0.93  # a typo or an initial, not another surname
    context_min_shared: int = 1  # shared contacts (personal ties) or supporting pairs
    context_min_group: int = 3  # shared people when all are reached through memberships only
    weights: Weights = field(default_factory=Weights)


@dataclass(slots=True)
class Merge:
    """One scored link between two records, with the evidence behind it."""

    a: str
    b: str
    score: float
    evidence: dict[str, Any]
    status: str  # auto | suggested | accepted | rejected | undone
    reason: str = ""

    @property
    def id(self) -> str:
        return merge_id(self.a, self.b)

    @property
    def in_effect(self) -> bool:
        return self.status in {"auto", "accepted"}

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "evidence": self.evidence,
            "status": self.status,
            "reason": self.reason,
        }


def merge_id(a: str, b: str) -> str:
    lo, hi = sorted((a, b))
    return "m-" + blake2b(f"{lo}\x1f{hi}".encode(), digest_size=6).hexdigest()


@dataclass
class ResolutionResult:
    clusters: dict[str, str]  # record uid -> cluster id, only records in clusters of 2+
    merges: list[Merge]
    stats: dict[str, Any]


_ID_BASE = {"ph": "phone", "em": "email", "ib": "iban", "ad": "address", "doc": "document"}
_KIND_NAME = {"ph": "phones", "em": "emails", "ib": "ibans", "ad": "addresses"}


class PreparedRecord:
    """Column-wise view of the records with the derived keys the resolver needs."""

    def __init__(self, records: Sequence[PersonRecord]) -> None:
        self.records = records
        self.names: list[NameTokens] = [name_tokens(r.name) for r in records]
        self.name_keys: list[str] = [
            " ".join(n.tokens) if n.pseudonym is None else n.pseudonym for n in self.names
        ]
        self.ids: list[frozenset[str]] = [frozenset(self._identifiers(r)) for r in records]
        # How many different people hold an identifier, approximated by distinct name
        # skeletons: one person's four records share a phone without weakening it.
        signatures: dict[str, set[str]] = defaultdict(set)
        for i, r in enumerate(records):
            signature = " ".join(blocking_tokens(self.names[i])) or r.uid
            for value in self.ids[i]:
                signatures[value].add(signature)
        self.degree: dict[str, int] = {value: len(s) for value, s in signatures.items()}
        del signatures
        # The records holding an identifier several people share (a house, a passed-on phone),
        # to ask whether anyone else there bears the name of a pair (see `_alone_with_name`).
        self.holders: dict[str, list[int]] = defaultdict(list)
        for i in range(len(records)):
            for value in self.ids[i]:
                if 2 < self.degree[value] <= MAX_HOLDERS:
                    self.holders[value].append(i)

    @staticmethod
    def _identifiers(r: PersonRecord) -> list[str]:
        out = [f"ph:{v}" for v in r.phones]
        out += [f"em:{v}" for v in r.emails]
        out += [f"ib:{v}" for v in r.ibans]
        out += [f"ad:{v}" for v in r.addresses]
        if r.document:
            out.append(f"doc:{r.document.upper().replace(' ', '')}")
        return out

    def block_keys(self, i: int) -> list[str]:
        r = self.records[i]
        tokens = blocking_tokens(self.names[i])
        keys = [k for k in self.ids[i] if not k.startswith("doc:")]
        if r.document:
            keys.append("doc:" + r.document.upper().replace(" ", ""))
        if r.birth_date:
            keys += [f"nb:{t}|{r.birth_date}" for t in tokens]
        if len(tokens) >= 2:
            keys += [f"nn:{a}|{b}" for k, a in enumerate(tokens) for b in tokens[k + 1 :]]
        keys += [f"n1:{t}" for t in tokens]
        return keys


def _candidate_pairs(prep: PreparedRecord, max_block: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Pairs sharing a block key, as sorted unique codes i * n + j (i < j).

    Keys are hashed to 64-bit integers and sorted with numpy; blocks of one size are expanded
    to pairs in one vectorised step, so a million records block in seconds.
    """
    n = len(prep.records)
    key_hashes: list[int] = []
    owners: list[int] = []
    examples: dict[int, str] = {}
    for i in range(n):
        for key in prep.block_keys(i):
            h = hash(key)
            key_hashes.append(h)
            owners.append(i)
            if h not in examples and len(examples) < 1_000_000:
                examples[h] = key
    keys = np.asarray(key_hashes, dtype=np.int64)
    who = np.asarray(owners, dtype=np.int64)
    del key_hashes, owners
    order = np.lexsort((who, keys))
    keys, who = keys[order], who[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    chunks: list[np.ndarray] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block)]).tolist():
        group_starts = starts[sizes == size]
        members = who[group_starts[:, None] + np.arange(size)[None, :]]
        lo, hi = np.triu_indices(size, 1)
        chunks.append((members[:, lo] * n + members[:, hi]).ravel())
    pairs = np.unique(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)
    big = np.flatnonzero(sizes > max_block)
    skipped = sorted(
        ((examples.get(int(keys[starts[b]]), "?"), int(sizes[b])) for b in big),
        key=lambda item: -item[1],
    )
    info = {
        "blocks": int(starts.size),
        "blocks_compared": int(((sizes >= 2) & (sizes <= max_block)).sum()),
        "blocks_skipped": len(skipped),
        "records_in_skipped_blocks": int(sum(s for _, s in skipped)),
        "largest_skipped": [{"key": k, "size": s} for k, s in skipped[:10]],
        "candidate_pairs": int(pairs.size),
    }
    if skipped:
        log.info("resolution: skipped %d blocks larger than %d", len(skipped), max_block)
    return pairs, info


def _name_weight(sim: float, w: Weights) -> float:
    if sim >= 0.97:
        return w.name_exact
    if sim >= 0.92:
        return w.name_close
    if sim >= 0.85:
        return w.name_similar
    if sim >= 0.75:
        return w.name_weak
    if sim >= 0.6:
        return w.name_different
    return w.name_conflict


def _birth_weight(a: str, b: str, w: Weights) -> tuple[float, str]:
    if a == b:
        return w.birth_equal, "equal"
    ya, ma, da = a[:4], a[5:7], a[8:10]
    yb, mb, db = b[:4], b[5:7], b[8:10]
    if ya == yb and ((ma == db and da == mb) or ma == mb or da == db):
        return w.birth_near, "same year, day or month differs"
    return w.birth_conflict, "different"


def _shared_weight(base: float, degree: int) -> float:
    # An identifier on many records (a house shared by workers, a phone passed around) says
    # less about any one pair: the weight shrinks with every doubling beyond two holders.
    if degree <= 2:
        return base
    return base / (1.0 + math.log2(degree / 2.0))


def _alone_with_name(prep: PreparedRecord, value: str, i: int, j: int, min_name: float) -> bool:
    """Whether the like-named holders of ``value`` can all be one person with records i, j.

    A house of eight workers says little about two records that happen to live there, but if
    only one of its people bears this name, "same name, same house" is as good as a house of
    one. Two like-named holders from one source (a register holds one record per person) or
    with conflicting birth dates are two people: then the identifier cannot tell them apart.
    """
    holders = prep.holders.get(value)
    if holders is None:
        return False
    names, records = prep.names, prep.records
    if value.startswith("ad:") and (value[3:] in records[i].owned or value[3:] in records[j].owned):
        return False  # a landlord owns the house; the people living there are others
    group = [i, j]
    # Names this alike share a token's first letter or phonetic key: a cheap test first.
    starts = _starts(names[i]) | _starts(names[j])
    for k in holders:
        if k in (i, j) or names[k].empty:
            continue
        theirs = _starts(names[k])
        if not (starts & theirs or "?" in starts or "?" in theirs):
            continue
        if max(name_similarity(names[k], names[i]), name_similarity(names[k], names[j])) >= (
            min_name
        ):
            group.append(k)
    sources = [records[k].source for k in group]
    if len(set(sources)) < len(sources):
        return False
    births = [d for k in group if (d := records[k].birth_date)]
    return all(same_birth(x, y) for x in births for y in births)


def _starts(name: NameTokens) -> set[str]:
    # "?" stands for a letter an export could not encode: it may start any name.
    return {t[0] for t in name.tokens} | {phonetic(t)[:1] for t in name.tokens}


def same_birth(a: str, b: str) -> bool:
    """Birth dates that may be one person's (equal, or a day/month slip in the same year)."""
    return _birth_weight(a, b, _WEIGHTS)[1] != "different"


def _base_weight(prefix: str, w: Weights) -> float:
    weight: float = getattr(w, _ID_BASE[prefix])
    return weight


def score_pair(
    prep: PreparedRecord, i: int, j: int, w: Weights, evidence: bool = True
) -> tuple[float, dict[str, Any]]:
    """Score of one pair and, if ``evidence``, the contribution of every field."""
    a, b = prep.records[i], prep.records[j]
    score = 0.0
    ev: dict[str, Any] = {}
    na, nb = prep.names[i], prep.names[j]
    sim = 0.0
    if not na.empty and not nb.empty and (na.pseudonym is None) == (nb.pseudonym is None):
        sim = name_similarity(na, nb)
        weight = _name_weight(sim, w)
        score += weight
        if evidence:
            ev["name"] = {"similarity": sim, "weight": weight}
    if a.birth_date and b.birth_date:
        weight, how = _birth_weight(a.birth_date, b.birth_date, w)
        score += weight
        if evidence:
            ev["birth_date"] = {"agreement": how, "weight": weight}
    shared = prep.ids[i] & prep.ids[j]
    if shared:
        best: dict[str, tuple[float, list[str], int, bool]] = {}
        for value in shared:
            prefix, _, raw = value.partition(":")
            if prefix == "doc":
                continue
            base, degree = _base_weight(prefix, w), prep.degree[value]
            weight = _shared_weight(base, degree)
            alone = (
                degree > 2
                and sim >= w.alone_min_name
                and _alone_with_name(prep, value, i, j, w.alone_min_name)
            )
            if alone:
                weight = base
            kept = best.get(prefix)
            if kept is None or weight > kept[0]:
                best[prefix] = (weight, [raw, *(kept[1] if kept else [])], degree, alone)
            else:
                best[prefix] = (kept[0], [*kept[1], raw], kept[2], kept[3])
        for prefix, (weight, values, degree, alone) in sorted(best.items()):
            score += weight
            if evidence:
                item: dict[str, Any] = {"shared": sorted(values), "weight": round(weight, 3)}
                if degree > 2:
                    item["holders"] = degree  # distinct names on it
                    item["only_holder_so_named"] = alone
                ev[_KIND_NAME[prefix]] = item
    if a.document and b.document:
        same = a.document.upper().replace(" ", "") == b.document.upper().replace(" ", "")
        weight = w.document_equal if same else w.document_conflict
        score += weight
        if evidence:
            ev["document_number"] = {
                "agreement": "equal" if same else "different",
                "weight": weight,
            }
    if a.nationality and b.nationality and a.nationality.lower() != b.nationality.lower():
        score += w.nationality_conflict
        if evidence:
            ev["nationality"] = {"agreement": "different", "weight": w.nationality_conflict}
    return round(score, 3), ev


# Set before the worker processes fork, so they share the prepared records copy-on-write.
_WORK: tuple[PreparedRecord, Weights, float] | None = None


def _score_chunk(codes: np.ndarray) -> list[tuple[int, float]]:
    assert _WORK is not None
    prep, w, keep = _WORK
    n = len(prep.records)
    out: list[tuple[int, float]] = []
    for code in codes.tolist():
        i, j = divmod(code, n)
        score, _ = score_pair(prep, i, j, w, evidence=False)
        if score >= keep:
            out.append((code, score))
    return out


def _score_all(
    prep: PreparedRecord, pairs: np.ndarray, w: Weights, keep: float, workers: int
) -> list[tuple[int, float]]:
    global _WORK
    _WORK = (prep, w, keep)
    try:
        if workers <= 1 or pairs.size < 200_000:
            return _score_chunk(pairs)
        import multiprocessing as mp

        chunks = np.array_split(pairs, workers * 4)
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_score_chunk, chunks)
        return [item for part in parts for item in part]
    finally:
        _WORK = None


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller uid becomes the root: cluster ids are deterministic.
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def clusters_from_merges(merges: Sequence[Merge]) -> dict[str, str]:
    """Record uid -> cluster id (its smallest record uid), for records in clusters of 2+."""
    uf = UnionFind()
    for m in merges:
        if m.in_effect:
            uf.union(m.a, m.b)
    return {uid: uf.find(uid) for uid in uf.parent} | {
        root: root for root in {uf.find(u) for u in uf.parent}
    }


def resolve(
    records: Sequence[PersonRecord],
    config: ResolverConfig | None = None,
    decisions: dict[str, tuple[str, ...]] | None = None,
    progress: Callable[[str], None] | None = None,
    context: Mapping[str, Mapping[str, Surroundings]] | None = None,
) -> ResolutionResult:
    """Resolve person records into clusters.

    ``decisions`` maps a merge id to (status, reason, uid a, uid b) taken by a reviewer earlier;
    accepted, rejected and undone pairs keep their status whatever their score now is.

    ``context`` (record uid -> its surroundings, see ``records.load_context``) enables
    collective resolution (Bhattacharya & Getoor 2007, ACM TKDD 1(1):5): a pair whose names
    agree but whose attributes cannot decide gains ``weights.context`` when, after a first
    resolution, both records are in touch with the same person (see ``collective``).
    """
    config = config or ResolverConfig()
    decisions = decisions or {}
    started = time.perf_counter()
    prep = PreparedRecord(records)
    t_prep = time.perf_counter()
    pairs, block_info = _candidate_pairs(prep, config.max_block)
    t_block = time.perf_counter()
    if progress is not None:
        progress(f"{block_info['candidate_pairs']:,} candidate pairs")
    n = len(records)
    merges: list[Merge] = []
    w = config.weights
    floor = min(config.suggest_threshold, config.auto_threshold)
    if context is not None:
        floor = min(floor, config.context_floor)
    kept = _score_all(prep, pairs, w, floor, config.workers)
    if decisions:
        # A reviewed pair is kept whatever its score now is, if both records still exist.
        index = {r.uid: k for k, r in enumerate(records)}
        have = {code for code, _ in kept}
        for status_reason_pair in decisions.values():
            pair = status_reason_pair[2:4] if len(status_reason_pair) >= 4 else ()
            if len(pair) != 2 or pair[0] not in index or pair[1] not in index:
                continue
            i, j = sorted((index[pair[0]], index[pair[1]]))
            code = i * n + j
            if code not in have:
                have.add(code)
                kept.append((code, 0.0))
    near: list[Merge] = []
    for code, _ in sorted(kept):
        i, j = divmod(code, n)
        score, evidence = score_pair(prep, i, j, w)
        a_uid, b_uid = records[i].uid, records[j].uid
        decided = decisions.get(merge_id(a_uid, b_uid))
        if decided is not None:
            merges.append(Merge(a_uid, b_uid, score, evidence, decided[0], decided[1]))
        elif score >= config.auto_threshold:
            merges.append(Merge(a_uid, b_uid, score, evidence, "auto"))
        elif score >= config.suggest_threshold:
            merges.append(Merge(a_uid, b_uid, score, evidence, "suggested"))
        else:
            near.append(Merge(a_uid, b_uid, score, evidence, "none"))
    if context is not None:
        # collective.py builds on this module's records, pairs and clusters
        from analytics.resolution.collective import with_context

        merges = with_context(merges, near, context, config, prep)
    t_score = time.perf_counter()
    clusters = clusters_from_merges(merges)
    t_cluster = time.perf_counter()
    by_status: dict[str, int] = defaultdict(int)
    for m in merges:
        by_status[m.status] += 1
    stats = {
        "records": n,
        **block_info,
        "merges": dict(sorted(by_status.items())),
        "clustered_records": len(clusters),
        "clusters": len(set(clusters.values())),
        "seconds": {
            "prepare": round(t_prep - started, 2),
            "blocking": round(t_block - t_prep, 2),
            "scoring": round(t_score - t_block, 2),
            "clustering": round(t_cluster - t_score, 2),
        },
        "thresholds": {"auto": config.auto_threshold, "suggest": config.suggest_threshold},
    }
    return ResolutionResult(clusters=clusters, merges=merges, stats=stats)
