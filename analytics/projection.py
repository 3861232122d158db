"""Projection from the store to an in-memory actor graph: people tied directly or through artefacts.

The store holds a multi-mode graph (people, phones, addresses, accounts, ads, cases, companies).
Investigators reason about *people*, so the analytics run on a one-mode projection (Wasserman &
Faust 1994, ch. 8; Everett & Borgatti 2013, "The dual-projection approach for two-mode
networks", Social Networks 35:204). Every store relationship is classified by the labels at its
ends (see `projection.yaml`):

* Person—Person: a **direct** tie with weight ``w_r · w`` (``w_r`` the type's configured weight,
  ``w`` the sum of the tie's observation weights inside the time window, so repeated dated
  observations add up).
* Person—artefact: an **attachment** of strength ``a = w_r · w``. Two people attached to one
  artefact used by ``k`` people get a **shared** tie ``min(a_p, a_q) / (k − 1)`` — Newman's
  collaboration weighting (M. E. J. Newman 2001, Phys. Rev. E 64:016132), so a crowded address
  does not drown everything else. Artefacts with more than ``max_artefact_people`` people are not
  expanded (their cliques would be noise and quadratic in size).
* artefact—artefact (phone called phone, account paid account, ad lists phone, company
  registered at address): a **link**; people attached to either end get
  ``w_r · w / (k_x · k_y)``.

A tie's weight is the sum of its contributions; every contribution is kept as the tie's reason
(which relation, through which artefacts, when). Contributions of a *directed* relationship type
(money transfers, calls) count only from payer to payee in the directed view used by PageRank.

Example::

    >>> from analytics.projection import ProjectionConfig
    >>> ProjectionConfig.load().relationships["TRANSFERRED_TO"].directed
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, Field
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from graph_model.schema import load_schema
from graph_model.store.base import GraphStore
from netzicht.errors import NetzichtError

CONFIG_PATH = Path(__file__).with_name("projection.yaml")
PERSON = "Person"
VICTIM_ROLE = "victim"
CARE_INTAKE = "care_intake"
# Roles a source records offenders in: such a record is never taken for an unlabelled victim.
LEADER_ROLES = frozenset({"organiser", "organizer", "leader", "boss", "head", "kingpin"})
SUSPECT_ROLES = frozenset({"suspect", "lieutenant", "recruiter", "enforcer", "money_mule"})
OFFENDER_ROLES = LEADER_ROLES | SUSPECT_ROLES | {"offender", "transporter", "facilitator"}

KNOWN_VICTIM = "known victim: a victim in a case, recorded with the victim role, or a care intake"
PROBABLE_FINDING = (
    "probable victim: a Labour Inspectorate finding of exploitation (unpaid wages, a withheld "
    "passport or housing tied to work) concerns them"
)
PROBABLE_SAME = (
    "probable victim: the same resolved person, phone, e-mail or bank account as a known or "
    "probable victim"
)
POSSIBLE_PAYS = (
    "possible victim: only pays into other people's accounts and receives nothing (the mark of "
    "debt bondage)"
)
POSSIBLE_SAME = (
    "possible victim: the same resolved person, phone, e-mail or bank account as someone who only "
    "pays"
)

CONTEXT_TYPES = ("CONCERNS", "IN_REGION", "USES", "HOLDS", "SAME_AS")
PERSONAL_IDENTIFIERS = ("Phone", "Email", "BankAccount")
KIND_DIRECT = "direct"
KIND_SHARED = "shared"
KIND_LINK = "link"


class AnalyticsError(NetzichtError):
    """An analytics request cannot be answered (bad option, unknown network, victim as target)."""


class RelationSpec(BaseModel):
    weight: float = Field(ge=0.0, description="Multiplier of the tie's observation weight")
    directed: bool = False


class ProjectionConfig(BaseModel):
    artefacts: list[str]
    max_artefact_people: int = Field(default=60, ge=2)
    relationships: dict[str, RelationSpec]
    exploitation_findings: list[str] = Field(
        default_factory=list,
        description="Signal kinds that say the person they concern is being exploited",
    )

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> ProjectionConfig:
        """The configuration in `path`, parsed once per version of the file (a dashboard page
        run creates a service, and parsing the YAML took 10 ms of a 75 ms run); a copy, so a
        caller changing it changes nothing for the next."""
        stamp = path.stat()
        return _load_config(path, stamp.st_mtime_ns, stamp.st_size).model_copy(deep=True)

    @classmethod
    def parse(cls, path: Path) -> ProjectionConfig:
        with open(path, encoding="utf-8") as handle:
            config = cls.model_validate(yaml.safe_load(handle))
        schema = load_schema()
        for label in config.artefacts:
            if label not in schema.labels:
                raise AnalyticsError(f"{path}: artefacts: unknown label {label!r}")
        for rel_type in config.relationships:
            if rel_type not in schema.relationship_types:
                raise AnalyticsError(f"{path}: relationships: unknown type {rel_type!r}")
        return config

    def enabled_types(self, only: Sequence[str] | None = None) -> list[str]:
        """Relationship types that contribute ties, optionally restricted to `only`."""
        if only:
            schema = load_schema()
            for rel_type in only:
                if rel_type not in schema.relationship_types:
                    raise AnalyticsError(
                        f"unknown relationship type {rel_type!r} "
                        f"(known: {', '.join(sorted(schema.relationship_types))})"
                    )
        chosen = [t for t, spec in self.relationships.items() if spec.weight > 0]
        if only:
            chosen = [t for t in chosen if t in set(only)]
        return sorted(chosen)


@lru_cache(maxsize=8)
def _load_config(path: Path, mtime_ns: int, size: int) -> ProjectionConfig:
    return ProjectionConfig.parse(path)


def parse_date(value: str | dt.date | None, option: str = "date") -> dt.date | None:
    """An ISO date (YYYY-MM-DD) or None; a clear error for anything else."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise AnalyticsError(f"{option}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def check_window(since: dt.date | None, until: dt.date | None) -> None:
    if since is not None and until is not None and since > until:
        raise AnalyticsError(f"--since {since} is after --until {until}")


def label_of(uids: pd.Series) -> pd.Series:
    return uids.str.split(":", n=1).str[0]


def source_of_person(uid: str) -> str:
    """`Person:<source>:<record>` → source (people are keyed by source record)."""
    parts = uid.split(":", 2)
    return parts[1] if len(parts) == 3 else ""


@dataclass
class StoreSlice:
    """What the analytics read from the store for one time window and set of relationship types.

    `entities` lists every node that occurs in a selected tie (index = entity id used in `ties`).
    """

    entities: pd.DataFrame  # uid, label
    ties: pd.DataFrame  # s, d (entity ids), type, weight, observations, first, last, amount
    people: pd.DataFrame  # index uid: name, role
    victims: frozenset[str]  # uids of every record protected as a victim (see load_slice)
    nodes: dict[str, pd.DataFrame]  # label → index uid, properties (Case, Signal, Address, ...)
    since: dt.date | None = None
    until: dt.date | None = None
    types: list[str] = field(default_factory=list)
    # the known and probable victims among `victims`: what role signals count as victims
    identified_victims: frozenset[str] = frozenset()
    # why each of `victims` is protected, in words shown with the person's profile
    victim_reasons: dict[str, str] = field(default_factory=dict)
    # per entity, a label shared by the records resolution made one person (same_person_labels)
    person_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def entity_index(self) -> dict[str, int]:
        return dict(zip(self.entities["uid"], self.entities.index, strict=True))


_NODE_LABELS_READ = ("Case", "Signal", "Address", "OnlineAd", "Organisation")
_NODE_PROPS = ("phenomenon", "region", "agency", "opened", "kind", "date", "city", "posted")


def _ties_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=["src", "dst", "type", "weight", "observations", "first", "last", "amount"],
    )
    frame["first"] = pd.to_datetime(frame["first"], format="ISO8601", errors="coerce")
    frame["last"] = pd.to_datetime(frame["last"], format="ISO8601", errors="coerce")
    frame["weight"] = frame["weight"].astype(float)
    frame["amount"] = frame["amount"].astype(float)
    return frame


def load_slice(
    store: GraphStore,
    since: dt.date | None = None,
    until: dt.date | None = None,
    types: Sequence[str] | None = None,
    config: ProjectionConfig | None = None,
) -> StoreSlice:
    """Read the ties of the selected types in [since, until] (both inclusive) and node facts.

    Victims, all protected alike (never ranked, never key actors, targets or leads):

    * **known** — a source says so (`known_victims`);
    * **probable** — an exploitation finding concerns them (`exploitation_marks`), or they are
      the same human as a known or found victim (`probable_victims`);
    * **possible** — they only pay (`exploitation_marks`), or are the same human as one who does.

    Role signals count known and probable victims only (`StoreSlice.identified_victims`).
    """
    check_window(since, until)
    config = config or ProjectionConfig.load()
    chosen = config.enabled_types(types)
    # Context types are read too (a signal about a person, a case's region) but make no ties.
    read = sorted({*chosen, *CONTEXT_TYPES})
    rows = [
        (t.src, t.dst, t.type, t.weight, t.observations, t.first_date, t.last_date, t.amount)
        for t in store.iter_ties(read, since, until)
    ]
    raw = _ties_frame(rows)
    codes, uniques = pd.factorize(pd.concat([raw["src"], raw["dst"]], ignore_index=True))
    n = len(raw)
    entities = pd.DataFrame({"uid": pd.Series(uniques, dtype=object)})
    entities["label"] = label_of(entities["uid"]) if len(entities) else pd.Series(dtype=object)
    ties = pd.DataFrame(
        {
            "s": codes[:n].astype(np.int64),
            "d": codes[n:].astype(np.int64),
            "type": raw["type"].astype(object),
            "weight": raw["weight"],
            "observations": raw["observations"].astype(np.int64),
            "first": raw["first"],
            "last": raw["last"],
            "amount": raw["amount"],
        }
    )
    people_rows = [
        (node.uid, node.name, node.properties.get("role")) for node in store.iter_nodes([PERSON])
    ]
    people = pd.DataFrame(people_rows, columns=["uid", "name", "role"]).set_index("uid")
    nodes: dict[str, pd.DataFrame] = {}
    for label in _NODE_LABELS_READ:
        node_rows = [
            {"uid": node.uid, "name": node.name, **{k: node.properties.get(k) for k in _NODE_PROPS}}
            for node in store.iter_nodes([label])
        ]
        nodes[label] = pd.DataFrame(node_rows, columns=["uid", "name", *_NODE_PROPS]).set_index(
            "uid"
        )
    known = known_victims(store, people, nodes["Signal"])
    person = same_person_labels(entities, ties)
    found, paying = exploitation_marks(entities, ties, person, people, nodes["Signal"], config)
    # Weakest first: a record with several marks keeps the strongest one's reason.
    victim_reasons = dict.fromkeys(probable_victims(entities, ties, person, paying), POSSIBLE_SAME)
    victim_reasons.update(dict.fromkeys(paying, POSSIBLE_PAYS))
    identified_same = probable_victims(entities, ties, person, known | found)
    victim_reasons.update(dict.fromkeys(identified_same, PROBABLE_SAME))
    victim_reasons.update(dict.fromkeys(found, PROBABLE_FINDING))
    victim_reasons.update(dict.fromkeys(known, KNOWN_VICTIM))
    return StoreSlice(
        entities=entities,
        ties=ties,
        people=people,
        victims=frozenset(victim_reasons),
        identified_victims=known | found | identified_same,
        victim_reasons=victim_reasons,
        person_labels=person,
        nodes=nodes,
        since=since,
        until=until,
        types=chosen,
    )


def known_victims(store: GraphStore, people: pd.DataFrame, signals: pd.DataFrame) -> frozenset[str]:
    """People known as victims: a VICTIM_IN tie, role "victim", or a care-intake signal about them.

    Read over all time, not the analysis window: someone known as a victim stays protected.
    """
    victims: set[str] = set()
    if len(people):
        roles = people["role"].astype(str).str.strip().str.lower()
        victims.update(people.index[roles == VICTIM_ROLE])
    intakes: set[str] = set()
    if len(signals):
        kinds = signals["kind"].astype(str).str.strip().str.lower()
        intakes = set(signals.index[kinds == CARE_INTAKE])
    for tie in store.iter_ties(["VICTIM_IN", "CONCERNS"]):
        if tie.type == "VICTIM_IN" and tie.src.startswith(PERSON + ":"):
            victims.add(tie.src)
        elif tie.type == "CONCERNS" and tie.src in intakes and tie.dst.startswith(PERSON + ":"):
            victims.add(tie.dst)
    return frozenset(victims)


def same_person_labels(entities: pd.DataFrame, ties: pd.DataFrame) -> np.ndarray:
    """Per entity, a label shared by the Person records entity resolution made one human (SAME_AS
    ties followed transitively); every other entity is its own label."""
    n = len(entities)
    if not n or not len(ties):
        return np.arange(n)
    labels = entities["label"].to_numpy(dtype=object)
    s, d = ties["s"].to_numpy(), ties["d"].to_numpy()
    same = (ties["type"].to_numpy(dtype=object) == "SAME_AS") & (labels[s] == PERSON)
    same &= labels[d] == PERSON
    links = coo_matrix((np.ones(int(same.sum())), (s[same], d[same])), shape=(n, n))
    _, label = connected_components(links, directed=False)
    return np.asarray(label, dtype=np.int64)


def exploitation_marks(
    entities: pd.DataFrame,
    ties: pd.DataFrame,
    person: np.ndarray,
    people: pd.DataFrame,
    signals: pd.DataFrame,
    config: ProjectionConfig,
) -> tuple[frozenset[str], frozenset[str]]:
    """(found, only paying): Person records the data show being exploited, by two marks.

    * **found** — a source signals that the person is exploited: a Signal of a kind in
      `exploitation_findings` (projection.yaml: the Labour Inspectorate's unpaid wages, withheld
      passport, housing tied to work) CONCERNS the record. Such a person is a probable victim.
    * **only paying** — the person's accounts pay into other people's accounts and none of them
      receives anything: the mark of debt bondage. Such a person is a *possible* victim.

    Every record of a resolved person (SAME_AS, transitively) carries the person's marks, and
    the money is the person's: one record paying and another receiving is not "only paying"
    (`person` as from `same_person_labels`).
    Accounts count as a person's when held directly or by a company they direct or own. A person
    a source records as an offender — suspect in a case or an offender role — is never marked.
    Read within the slice's time window.
    """
    if not len(people) or not len(entities) or not len(ties):
        return frozenset(), frozenset()
    uids = entities["uid"].to_numpy(dtype=object)
    labels = entities["label"].to_numpy(dtype=object)
    s, d = ties["s"].to_numpy(), ties["d"].to_numpy()
    typ = ties["type"].to_numpy(dtype=object)
    is_person = labels == PERSON

    def of_person(mark: np.ndarray) -> np.ndarray:
        return is_person & np.isin(person, person[mark & is_person])

    found = np.zeros(len(uids), dtype=bool)
    if len(signals) and config.exploitation_findings:
        kinds = signals["kind"].astype(str).str.strip().str.lower()
        wanted = {k.strip().lower() for k in config.exploitation_findings}
        findings = signals.index[kinds.isin(wanted).to_numpy()]
        concerns = (typ == "CONCERNS") & np.isin(uids[s], list(findings)) & is_person[d]
        found[d[concerns]] = True

    # the holder of every account: a person holding it, or directing or owning the company that does
    holder = np.full(len(uids), -1, dtype=np.int64)
    holds = (typ == "HOLDS") & (labels[d] == "BankAccount")
    holder[d[holds & is_person[s]]] = s[holds & is_person[s]]
    runs = np.isin(typ, ("DIRECTS", "OWNS")) & is_person[s] & (labels[d] == "Organisation")
    runner = np.full(len(uids), -1, dtype=np.int64)
    runner[d[runs]] = s[runs]
    by_company = holds & (labels[s] == "Organisation")
    via = runner[s[by_company]]
    free = (holder[d[by_company]] < 0) & (via >= 0)
    holder[d[by_company][free]] = via[free]
    transfer = typ == "TRANSFERRED_TO"
    payer, payee = holder[s[transfer]], holder[d[transfer]]
    payer_person = np.where(payer >= 0, person[np.maximum(payer, 0)], -1)
    payee_person = np.where(payee >= 0, person[np.maximum(payee, 0)], -1)
    pays = (payer >= 0) & (payee_person != payer_person)
    receives = (payee >= 0) & (payer_person != payee_person)
    only_pays = np.isin(person, payer_person[pays]) & ~np.isin(person, payee_person[receives])
    paying = of_person(only_pays)

    roles = people["role"].reindex(uids).astype(str).str.strip().str.lower().to_numpy(dtype=object)
    offender = np.isin(roles, list(OFFENDER_ROLES))
    offender[s[(typ == "SUSPECT_IN") & is_person[s]]] = True
    clear = ~of_person(offender)
    return (
        frozenset(uids[of_person(found) & clear]),
        frozenset(uids[paying & clear]),
    )


def probable_victims(
    entities: pd.DataFrame, ties: pd.DataFrame, person: np.ndarray, known: frozenset[str]
) -> frozenset[str]:
    """Records that are probably the same human as a known victim, so are protected too.

    Without entity resolution one person is several records (police, FIU, inspection, care).
    A record entity resolution made one person with a known victim's record (SAME_AS, followed
    transitively), or using/holding the same personal phone, e-mail or bank account, is treated
    as that victim: it is never ranked or targeted. `person` as from `same_person_labels`.
    """
    if not known or not len(ties):
        return frozenset()
    uids = entities["uid"].to_numpy(dtype=object)
    labels = entities["label"].to_numpy(dtype=object)
    s, d = ties["s"].to_numpy(), ties["d"].to_numpy()
    typ = ties["type"].to_numpy(dtype=object)
    is_victim = np.isin(uids, list(known))
    out: set[str] = set()
    out.update(uids[(labels == PERSON) & np.isin(person, person[is_victim])])
    ident = np.isin(typ, ("USES", "HOLDS")) & (labels[s] == PERSON)
    ident &= np.isin(labels[d], PERSONAL_IDENTIFIERS)
    victim_ids = np.unique(d[ident & is_victim[s]])
    shares = ident & np.isin(d, victim_ids)
    out.update(uids[s[shares]])
    return frozenset(out) - known


def once_per_person(ranked: np.ndarray, person: np.ndarray) -> np.ndarray:
    """`ranked` (record indices, best first) without the lower-ranked records of a person already
    listed: a resolved person holds one place, under their best-ranked record (`person` as
    `ActorGraph.person`)."""
    _, first = np.unique(person[ranked], return_index=True)
    return ranked[np.sort(first)]


def pairs_within_groups(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All unordered pairs (i < j) of positions inside consecutive groups of the given sizes.

    Vectorised: the element at position p of a group ending at e pairs with p+1 .. e-1.

    >>> pairs_within_groups(np.array([3, 1, 2]))
    (array([0, 0, 1, 4]), array([1, 2, 2, 5]))
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    ends = np.cumsum(sizes)
    group = np.repeat(np.arange(len(sizes)), sizes)
    positions = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    after = ends[group] - positions - 1
    total = int(after.sum())
    left = np.repeat(positions, after)
    run_start = np.repeat(np.cumsum(after) - after, after)
    right = left + 1 + (np.arange(total, dtype=np.int64) - run_start)
    return left, right


@dataclass
class ActorGraph:
    """People (nodes) and the ties between them, with the contributions behind every tie.

    `src < dst` for every tie. `w_fwd`/`w_bwd` are the weights of the directed view (src→dst and
    dst→src); undirected contributions count in both. `contrib` has one row per contribution,
    sorted by tie, with columns: tie, kind, rel, a, b (entity ids of the artefacts, −1 if none),
    weight, first, last, forward (True: from src to dst; False: dst to src; None: undirected).
    """

    people: np.ndarray  # person uids (object), sorted
    names: np.ndarray
    roles: np.ndarray
    victim: np.ndarray  # bool: protected as a victim (known, probable or possible)
    identified_victim: np.ndarray  # bool: known or probable victim, counted by role signals
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    w_fwd: np.ndarray
    w_bwd: np.ndarray
    first: np.ndarray  # datetime64[ns], NaT when undated
    last: np.ndarray
    contrib: pd.DataFrame
    directed: bool
    slice: StoreSlice
    config: ProjectionConfig

    @property
    def n(self) -> int:
        return len(self.people)

    @property
    def m(self) -> int:
        return len(self.src)

    @cached_property
    def index(self) -> dict[str, int]:
        return {uid: i for i, uid in enumerate(self.people)}

    @cached_property
    def person_entity(self) -> np.ndarray:
        """For every person, its entity id in `slice.entities` (−1 when it has no tie)."""
        lookup = self.slice.entity_index()
        return np.array([lookup.get(uid, -1) for uid in self.people], dtype=np.int64)

    @cached_property
    def person(self) -> np.ndarray:
        """For every record, a label (0..k−1) shared by exactly the records entity resolution made
        one person (SAME_AS ties, followed transitively); a record merged with nobody is its own
        person."""
        labels = self.slice.person_labels
        pe = self.person_entity
        raw = np.where(pe >= 0, labels[np.maximum(pe, 0)], len(labels) + np.arange(self.n))
        _, person = np.unique(raw, return_inverse=True)
        return np.asarray(person, dtype=np.int64).reshape(-1)

    @cached_property
    def contrib_offsets(self) -> np.ndarray:
        ties = self.contrib["tie"].to_numpy()
        return np.searchsorted(ties, np.arange(self.m + 1))

    def tie_contributions(self, tie: int) -> pd.DataFrame:
        start, end = self.contrib_offsets[tie], self.contrib_offsets[tie + 1]
        return self.contrib.iloc[start:end]

    def neighbours(self, i: int) -> np.ndarray:
        return np.concatenate([self.dst[self.src == i], self.src[self.dst == i]])

    def tie_index(self, p: int, q: int) -> int | None:
        a, b = (p, q) if p < q else (q, p)
        hits = np.flatnonzero((self.src == a) & (self.dst == b))
        return int(hits[0]) if len(hits) else None

    def describe_tie(self, tie: int, limit: int = 5) -> list[str]:
        """The reasons behind one tie, in words, strongest first."""
        return self.explain_ties(np.array([tie]), limit)[0][1]

    def explain_ties(self, ties: np.ndarray, limit: int = 5) -> list[tuple[Any, list[str]]]:
        """For each tie: its strongest contribution (a row, None without any) and up to `limit`
        reasons in words, strongest first. One pass over all the ties' contributions: a network
        view explains up to 2,000 ties, which one by one cost seconds of pandas overhead."""
        offsets = self.contrib_offsets
        ties = np.asarray(ties, dtype=np.int64)
        starts, ends = offsets[ties], offsets[ties + 1]
        ranges = [np.arange(a, b) for a, b in zip(starts, ends, strict=True)]
        rows = np.concatenate(ranges) if ranges else np.zeros(0, dtype=np.int64)
        picked = self.contrib.iloc[rows].assign(
            which_tie=np.repeat(np.arange(len(ties)), ends - starts)
        )
        picked = picked.sort_values(["which_tie", "weight"], ascending=[True, False], kind="stable")
        uids = self.slice.entities["uid"].to_numpy()
        best: list[Any] = [None] * len(ties)
        reasons: list[list[str]] = [[] for _ in range(len(ties))]
        for row in picked.itertuples(index=False):
            k = row.which_tie
            if best[k] is None:
                best[k] = row
            if len(reasons[k]) < limit:
                reasons[k].append(describe_contribution(row, uids, self.slice))
        return list(zip(best, reasons, strict=True))


def entity_display(uid: str, slice_: StoreSlice | None = None) -> str:
    """A short readable name for an entity uid (its display value where the store has one)."""
    label, _, rest = uid.partition(":")
    if slice_ is not None and label in slice_.nodes:
        frame = slice_.nodes[label]
        if uid in frame.index:
            name = frame.at[uid, "name"]
            if isinstance(name, str) and name:
                return f"{label.lower()} {name}"
    return f"{label.lower()} {rest}"


_REL_WORDS = {
    "CALLED": "called",
    "MET": "met",
    "ASSOCIATED_WITH": "associated with",
    "SAME_AS": "same person as",
    "TRANSFERRED_TO": "paid",
    "LISTS": "lists",
}


def describe_contribution(row: Any, uids: np.ndarray, slice_: StoreSlice) -> str:
    first = row.first if not pd.isna(row.first) else None
    last = row.last if not pd.isna(row.last) else None
    when = ""
    if first is not None and last is not None:
        when = f" ({first:%Y-%m-%d})" if first == last else f" ({first:%Y-%m-%d}–{last:%Y-%m-%d})"
    rel = str(row.rel)
    if row.kind == KIND_DIRECT:
        return f"{rel} ×{row.observations}{when}" if row.observations > 1 else f"{rel}{when}"
    a = entity_display(str(uids[row.a]), slice_)
    if row.kind == KIND_SHARED:
        return f"share {a} ({rel}){when}"
    b = entity_display(str(uids[row.b]), slice_)
    verb = _REL_WORDS.get(rel.split("+")[-1], rel)
    return (
        f"{a} {verb} {b} ×{row.observations}{when}"
        if row.observations > 1
        else (f"{a} {verb} {b}{when}")
    )


def _attachments(
    ties: pd.DataFrame, labels: np.ndarray, artefact: np.ndarray, rel_weight: pd.Series
) -> pd.DataFrame:
    """Person—artefact ties as (person entity, artefact entity, strength, types, dates)."""
    s_person = labels[ties["s"].to_numpy()] == PERSON
    d_person = labels[ties["d"].to_numpy()] == PERSON
    s_art = artefact[ties["s"].to_numpy()]
    d_art = artefact[ties["d"].to_numpy()]
    fwd = s_person & d_art
    bwd = d_person & s_art
    att = pd.concat(
        [
            ties.loc[fwd].rename(columns={"s": "p", "d": "x"}),
            ties.loc[bwd].rename(columns={"d": "p", "s": "x"}),
        ],
        ignore_index=True,
    )
    att["a"] = att["weight"] * att["type"].map(rel_weight).to_numpy()
    grouped = att.groupby(["x", "p"], sort=True).agg(
        a=("a", "sum"),
        rel=("type", lambda s: "+".join(sorted(set(s)))),
        observations=("observations", "sum"),
        first=("first", "min"),
        last=("last", "max"),
    )
    return grouped.reset_index()


def build_actor_graph(slice_: StoreSlice, config: ProjectionConfig | None = None) -> ActorGraph:
    """Project the store slice onto people (see the module docstring for the weights)."""
    config = config or ProjectionConfig.load()
    ents = slice_.entities
    labels = ents["label"].to_numpy(dtype=object) if len(ents) else np.array([], dtype=object)
    artefact = np.isin(labels, config.artefacts) if len(labels) else np.array([], dtype=bool)
    rel_weight = pd.Series({t: s.weight for t, s in config.relationships.items()})
    rel_directed = pd.Series({t: s.directed for t, s in config.relationships.items()})
    ties = slice_.ties.loc[slice_.ties["type"].isin(slice_.types).to_numpy(dtype=bool)]

    # People: everyone in the store (isolated ones too: a suspect without ties is still a node).
    person_uids = np.array(sorted(slice_.people.index), dtype=object)
    person_pos = {uid: i for i, uid in enumerate(person_uids)}
    ent_to_person = np.full(len(ents), -1, dtype=np.int64)
    if len(ents):
        ent_to_person = ents["uid"].map(person_pos).fillna(-1).astype(np.int64).to_numpy()

    parts: list[pd.DataFrame] = []
    columns = ["p", "q", "kind", "rel", "a", "b", "weight", "observations", "first", "last", "fwd"]

    # 1. direct Person—Person ties
    if len(ties):
        s_l = labels[ties["s"].to_numpy()]
        d_l = labels[ties["d"].to_numpy()]
        direct = ties.loc[(s_l == PERSON) & (d_l == PERSON)]
        direct = direct.loc[direct["s"] != direct["d"]]
        if len(direct):
            directed = direct["type"].map(rel_directed).fillna(False).to_numpy(dtype=bool)
            parts.append(
                pd.DataFrame(
                    {
                        "p": ent_to_person[direct["s"].to_numpy()],
                        "q": ent_to_person[direct["d"].to_numpy()],
                        "kind": KIND_DIRECT,
                        "rel": direct["type"].to_numpy(),
                        "a": -1,
                        "b": -1,
                        "weight": direct["weight"].to_numpy()
                        * direct["type"].map(rel_weight).to_numpy(),
                        "observations": direct["observations"].to_numpy(),
                        "first": direct["first"].to_numpy(),
                        "last": direct["last"].to_numpy(),
                        "fwd": np.where(directed, 1, 0),
                    }
                )
            )

    att = (
        _attachments(ties, labels, artefact, rel_weight)
        if len(ties)
        else pd.DataFrame(columns=["x", "p", "a", "rel", "observations", "first", "last"])
    )
    people_per_artefact = att.groupby("x")["p"].size() if len(att) else pd.Series(dtype=np.int64)
    usable = people_per_artefact[people_per_artefact <= config.max_artefact_people]
    att = att.loc[att["x"].isin(usable.index)].reset_index(drop=True) if len(att) else att

    # 2. shared artefacts: every pair of people attached to one artefact
    shared = att.loc[att["x"].map(people_per_artefact).fillna(0) >= 2] if len(att) else att
    if len(shared):
        sizes = shared.groupby("x", sort=True).size().to_numpy()
        left, right = pairs_within_groups(sizes)
        k = shared["x"].map(people_per_artefact).to_numpy()[left]
        a_left = shared["a"].to_numpy()[left]
        a_right = shared["a"].to_numpy()[right]
        rel = shared["rel"].to_numpy()
        first = shared["first"].to_numpy()
        last = shared["last"].to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "p": ent_to_person[shared["p"].to_numpy()[left]],
                    "q": ent_to_person[shared["p"].to_numpy()[right]],
                    "kind": KIND_SHARED,
                    "rel": np.where(
                        rel[left] == rel[right], rel[left], rel[left] + "/" + rel[right]
                    ),
                    "a": shared["x"].to_numpy()[left],
                    "b": -1,
                    "weight": np.minimum(a_left, a_right) / (k - 1),
                    "observations": 1,
                    "first": np.where(
                        pd.isna(first[left]) | (first[right] < first[left]),
                        first[right],
                        first[left],
                    ),
                    "last": np.where(
                        pd.isna(last[left]) | (last[right] > last[left]), last[right], last[left]
                    ),
                    "fwd": 0,
                }
            )
        )

    # 3. links between artefacts: people at either end are tied through the link
    if len(ties) and len(att):
        s_art = artefact[ties["s"].to_numpy()]
        d_art = artefact[ties["d"].to_numpy()]
        links = ties.loc[s_art & d_art & (ties["s"] != ties["d"]).to_numpy()]
        if len(links):
            at = att[["x", "p", "rel"]]
            joined = links.merge(at, left_on="s", right_on="x").merge(
                at, left_on="d", right_on="x", suffixes=("_s", "_d")
            )
            joined = joined.loc[joined["p_s"] != joined["p_d"]]
            if len(joined):
                k_s = joined["s"].map(people_per_artefact).to_numpy()
                k_d = joined["d"].map(people_per_artefact).to_numpy()
                directed = joined["type"].map(rel_directed).fillna(False).to_numpy(dtype=bool)
                parts.append(
                    pd.DataFrame(
                        {
                            "p": ent_to_person[joined["p_s"].to_numpy()],
                            "q": ent_to_person[joined["p_d"].to_numpy()],
                            "kind": KIND_LINK,
                            "rel": joined["type"].to_numpy(),
                            "a": joined["s"].to_numpy(),
                            "b": joined["d"].to_numpy(),
                            "weight": joined["weight"].to_numpy()
                            * joined["type"].map(rel_weight).to_numpy()
                            / (k_s * k_d),
                            "observations": joined["observations"].to_numpy(),
                            "first": joined["first"].to_numpy(),
                            "last": joined["last"].to_numpy(),
                            "fwd": np.where(directed, 1, 0),
                        }
                    )
                )

    contrib = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )
    if len(contrib):
        keep = (contrib["weight"] > 0) & (contrib["p"] >= 0) & (contrib["q"] >= 0)
        contrib = contrib.loc[keep.to_numpy(dtype=bool)]
    return _assemble(slice_, config, person_uids, contrib)


def _assemble(
    slice_: StoreSlice, config: ProjectionConfig, person_uids: np.ndarray, contrib: pd.DataFrame
) -> ActorGraph:
    """Order each contribution's pair (src < dst), group contributions into ties."""
    n = len(person_uids)
    p = contrib["p"].to_numpy(dtype=np.int64)
    q = contrib["q"].to_numpy(dtype=np.int64)
    swap = p > q
    lo, hi = np.where(swap, q, p), np.where(swap, p, q)
    directed_c = (
        contrib["fwd"].to_numpy(dtype=np.int64) == 1 if len(contrib) else np.array([], bool)
    )
    # a directed contribution from p to q is "forward" when p is the lower index
    forward = np.where(directed_c, ~swap, False)
    backward = np.where(directed_c, swap, False)
    key = lo * max(n, 1) + hi
    order = np.lexsort((key,))
    key = key[order]
    uniq, tie_of = np.unique(key, return_inverse=True)
    w = contrib["weight"].to_numpy(dtype=float)[order]
    fwd_w = np.where(forward[order] | ~directed_c[order], w, 0.0)
    bwd_w = np.where(backward[order] | ~directed_c[order], w, 0.0)
    m = len(uniq)
    weight = np.bincount(tie_of, weights=w, minlength=m)
    w_fwd = np.bincount(tie_of, weights=fwd_w, minlength=m)
    w_bwd = np.bincount(tie_of, weights=bwd_w, minlength=m)
    frame = pd.DataFrame(
        {
            "tie": tie_of,
            "first": pd.to_datetime(contrib["first"].to_numpy()[order]),
            "last": pd.to_datetime(contrib["last"].to_numpy()[order]),
        }
    )
    dates = frame.groupby("tie").agg(first=("first", "min"), last=("last", "max"))
    out = pd.DataFrame(
        {
            "tie": tie_of,
            "kind": contrib["kind"].to_numpy()[order],
            "rel": contrib["rel"].to_numpy()[order],
            "a": contrib["a"].to_numpy(dtype=np.int64)[order],
            "b": contrib["b"].to_numpy(dtype=np.int64)[order],
            "weight": w,
            "observations": contrib["observations"].to_numpy(dtype=np.int64)[order],
            "first": frame["first"].to_numpy(),
            "last": frame["last"].to_numpy(),
            "forward": np.where(directed_c[order], ~swap[order], False),
            "directed": directed_c[order],
        }
    )
    people = slice_.people.reindex(person_uids)
    return ActorGraph(
        people=person_uids,
        names=people["name"].fillna("").to_numpy(dtype=object),
        roles=np.array(
            [r if isinstance(r, str) and r else None for r in people["role"]], dtype=object
        ),
        victim=np.isin(person_uids, list(slice_.victims)),
        identified_victim=np.isin(person_uids, list(slice_.identified_victims)),
        src=(uniq // max(n, 1)).astype(np.int64),
        dst=(uniq % max(n, 1)).astype(np.int64),
        weight=weight,
        w_fwd=w_fwd,
        w_bwd=w_bwd,
        first=dates["first"].reindex(range(m)).to_numpy(),
        last=dates["last"].reindex(range(m)).to_numpy(),
        contrib=out,
        directed=bool(directed_c.any()),
        slice=slice_,
        config=config,
    )


def project(
    store: GraphStore,
    since: dt.date | None = None,
    until: dt.date | None = None,
    types: Sequence[str] | None = None,
    config: ProjectionConfig | None = None,
) -> ActorGraph:
    """Read the store slice and build the actor graph in one call."""
    config = config or ProjectionConfig.load()
    return build_actor_graph(load_slice(store, since, until, types, config), config)
