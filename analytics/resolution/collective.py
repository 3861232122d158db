"""Collective resolution: a second look at look-alike pairs in the light of a first resolution.

Attributes cannot decide between two records that share only a name: a police record built from
surveillance ("seen meeting …") has no birth date, phone or address, and a municipal signal
names an owner and the houses owned, nothing else. An analyst then looks at who the records deal
with (Bhattacharya & Getoor 2007, "Collective entity resolution in relational data", ACM TKDD
1(1):5): the police's *Georgi Ivanov* was seen meeting *Petar Dimitrov*, and the FIU's *Georgi
Ivanov* paid *Petar Dimitrov*'s account, so — unless Petar deals with two Georgi Ivanovs — they
are one man. This module turns that argument into evidence ``context`` with weight
``weights.context`` on a look-alike pair (name similarity ≥ ``context_min_name``, birth dates
not in conflict, records of different sources), when after the first resolution:

* **a shared contact**: both records touch the same resolved person, at least one of them
  through a personal tie (met, called, paid or was paid; see `records.Surroundings`), or
  ``context_min_group`` people reached only through memberships — the same case, house,
  company — since everyone in one network shares a few of those; or
* **a supporting pair**: each record has a personal contact, and those two contacts are a
  look-alike pair themselves ("A met B" in one source, "A paid B" in another): the two pairs
  support each other and are accepted together.

Look-alike pairs come from blocking and, each round, from the people around each resolved
person: records in touch with the same person and sharing a phonetic name key are compared even
when their name key was too common to be a block.

Every shared person must pass the **namesake test** (`Circles.namesake`): nobody else around
that person bears the pair's name and must be somebody else — a like-named record from a source
the pair already has (a register holds one record per person) or with a conflicting birth date.
For the same reason records of one source are never linked by context, and a merge never puts
two records of one source into one person. Rounds repeat (a merge found in one round is context
for the next) until nothing changes.

Merges keep the evidence: the shared people with the nodes each record reaches them through, the
supporting pairs with their merge ids, and the weight, so a reviewer sees the argument.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from analytics.resolution.matching import (
    Merge,
    PreparedRecord,
    ResolverConfig,
    clusters_from_merges,
    same_birth,
    score_pair,
)
from analytics.resolution.names import blocking_tokens, name_similarity
from analytics.resolution.records import PERSON_PREFIX, Surroundings, source_of

Reach = dict[str, tuple[bool, list[str]]]


def reach(around: Mapping[str, Surroundings], skip: set[str], find: Callable[[str], str]) -> Reach:
    """Resolved person (or node) → (reached through a personal tie?, up to 3 nodes between)."""
    out: Reach = {}
    for via, seen in around.items():
        if via in skip:
            continue
        for personal, nodes in ((True, seen.contacts), (False, seen.members)):
            for x in nodes:
                z = find(x)
                was_personal, vias = out.get(z, (False, []))
                if len(vias) < 3 and via not in vias:
                    vias = [*vias, via]
                out[z] = (was_personal or personal, vias)
    return out


class Circles:
    """Who touches each resolved person, and which sources each resolved person has."""

    def __init__(
        self,
        prep: PreparedRecord,
        context: Mapping[str, Mapping[str, Surroundings]],
        cluster: Mapping[str, str],
        min_name: float,
    ) -> None:
        self.prep = prep
        self.index = {r.uid: k for k, r in enumerate(prep.records)}
        self.cluster = cluster
        self.min_name = min_name
        self.sources: dict[str, set[str]] = defaultdict(set)
        for uid, root in cluster.items():
            self.sources[root].add(source_of(uid))
        self._name_keys: dict[int, list[str]] = {}
        self.circle: dict[str, set[str]] = defaultdict(set)
        for uid, around in context.items():
            for seen in around.values():
                for x in (*seen.members, *seen.contacts):
                    self.circle[cluster.get(x, x)].add(uid)

    def look_alikes(
        self, config: ResolverConfig, seen: set[int], around: Iterable[str] | None = None
    ) -> list[Merge]:
        """Pairs of like-named records around one person that blocking did not compare.

        Name keys common enough to be skipped as blocks ("Georgi Ivanov" without a birth date
        in a large store) still meet here: records in touch with the same person. ``seen``
        holds the pairs compared already (codes ``i * n + j``); ``around`` limits the people
        looked at (those whose records changed), all by default.
        """
        names, records, index, n = self.prep.names, self.prep.records, self.index, len(self.index)
        out: list[Merge] = []
        for z in self.circle if around is None else around:
            circle = self.circle.get(z, ())
            if len(circle) < 2:
                continue
            by_key: dict[str, list[int]] = defaultdict(list)
            for uid in circle:
                k = index.get(uid)
                if k is not None:
                    for key in self._keys(k):
                        by_key[key].append(k)
            for group in by_key.values():
                group.sort()
                for x, i in enumerate(group):
                    for j in group[x + 1 :]:
                        code = i * n + j
                        if code in seen or records[i].source == records[j].source:
                            continue
                        seen.add(code)
                        if name_similarity(names[i], names[j]) < self.min_name:
                            continue
                        score, evidence = score_pair(self.prep, i, j, config.weights)
                        if score >= config.context_floor:
                            out.append(
                                Merge(records[i].uid, records[j].uid, score, evidence, "none")
                            )
        return out

    def _keys(self, k: int) -> list[str]:
        keys = self._name_keys.get(k)
        if keys is None:
            keys = self._name_keys[k] = blocking_tokens(self.prep.names[k])
        return keys

    def find(self, uid: str) -> str:
        return self.cluster.get(uid, uid)

    def sources_of(self, uid: str) -> set[str]:
        return self.sources.get(self.find(uid)) or {source_of(uid)}

    def namesake(self, z: str, a: str, b: str) -> str | None:
        """A record around ``z`` named like ``a``/``b`` that cannot be the same person as both.

        One source's register holds one record per person, so a like-named record from a
        source the pair already has, or one whose birth date conflicts, is somebody else: then
        ``z`` knows two people of that name and says nothing about which one is which.
        """
        ca, cb = self.find(a), self.find(b)
        taken = self.sources_of(a) | self.sources_of(b)
        names, records = self.prep.names, self.prep.records
        ia, ib = self.index[a], self.index[b]
        births = [d for d in (records[ia].birth_date, records[ib].birth_date) if d]
        for c in self.circle.get(z, ()):
            ic = self.index.get(c)
            if ic is None or names[ic].empty or self.find(c) in (ca, cb, z):
                continue
            like = max(name_similarity(names[ic], names[ia]), name_similarity(names[ic], names[ib]))
            if like < self.min_name:
                continue
            if self.sources_of(c) & taken:
                return c
            born = records[ic].birth_date
            if born and not all(same_birth(born, d) for d in births):
                return c
        return None


def _decide(m: Merge, config: ResolverConfig) -> str:
    if m.score >= config.auto_threshold:
        return "auto"
    return "suggested" if m.score >= config.suggest_threshold else "none"


def with_context(
    merges: list[Merge],
    near: list[Merge],
    context: Mapping[str, Mapping[str, Surroundings]],
    config: ResolverConfig,
    prep: PreparedRecord,
    rounds: int = 3,
) -> list[Merge]:
    """Add context evidence to undecided look-alike pairs (see the module docstring).

    ``merges`` are the scored pairs at or above the suggestion threshold, ``near`` those below
    it; returns the merges with the pairs context lifted over the suggestion threshold.
    """

    def look_alike(m: Merge) -> bool:
        return (
            m.evidence.get("name", {}).get("similarity", 0.0) >= config.context_min_name
            and m.evidence.get("birth_date", {}).get("agreement") != "different"
            and source_of(m.a) != source_of(m.b)
        )

    pool = [m for m in [*(m for m in merges if m.status == "suggested"), *near] if look_alike(m)]
    index = {r.uid: k for k, r in enumerate(prep.records)}
    n = len(prep.records)
    seen = {min(index[m.a], index[m.b]) * n + max(index[m.a], index[m.b]) for m in (*merges, *near)}
    joined: list[Merge] | None = None  # merged in the last round; None before the first
    for _ in range(rounds):
        circles = Circles(prep, context, clusters_from_merges(merges), config.context_min_name)
        find = circles.find
        grown = None if joined is None else {find(m.a) for m in joined}
        pool += [m for m in circles.look_alikes(config, seen, grown) if look_alike(m)]
        joined = []
        open_pairs = [
            m
            for m in pool
            if m.status != "auto"
            and "context" not in m.evidence
            and find(m.a) != find(m.b)
            and not circles.sources_of(m.a) & circles.sources_of(m.b)
        ]
        alike: dict[str, list[tuple[str, Merge]]] = defaultdict(list)
        for m in open_pairs:
            alike[find(m.a)].append((find(m.b), m))
            alike[find(m.b)].append((find(m.a), m))
        changed = False
        for m in open_pairs:
            ca, cb = find(m.a), find(m.b)
            ctx_a, ctx_b = context.get(m.a, {}), context.get(m.b, {})
            # A node both records attach to (an address, a phone) already scored; only what
            # lies beyond their own, separate neighbours counts. People met are not nodes.
            common = {x for x in ctx_a.keys() & ctx_b.keys() if not x.startswith(PERSON_PREFIX)}
            reach_a, reach_b = reach(ctx_a, common, find), reach(ctx_b, common, find)
            around = sorted(
                z
                for z in (reach_a.keys() & reach_b.keys()) - {ca, cb}
                if circles.namesake(z, m.a, m.b) is None
            )
            shared = [z for z in around if reach_a[z][0] or reach_b[z][0]]
            if len(around) >= config.context_min_group:
                shared = around
            supporting = sorted(
                (za, zb, other.id)
                for za in reach_a.keys() - {ca, cb}
                if reach_a[za][0]
                for zb, other in alike.get(za, ())
                if zb in reach_b
                and zb not in (ca, cb)
                and reach_b[zb][0]
                and circles.namesake(za, m.a, m.b) is None
                and circles.namesake(zb, m.a, m.b) is None
                and circles.namesake(ca, other.a, other.b) is None
                and circles.namesake(cb, other.a, other.b) is None
            )
            if len(shared) + len(supporting) < config.context_min_shared:
                continue
            evidence: dict[str, object] = {
                "shared": [
                    {"person": z, "a_via": reach_a[z][1], "b_via": reach_b[z][1]}
                    for z in shared[:5]
                ],
                "count": len(shared),
                "weight": config.weights.context,
            }
            if supporting:
                evidence["alike"] = [
                    {"a_side": za, "b_side": zb, "merge": mid} for za, zb, mid in supporting[:5]
                ]
            m.evidence["context"] = evidence
            m.score = round(m.score + config.weights.context, 3)
            status = _decide(m, config)
            if status != m.status:
                if m.status == "none":
                    merges.append(m)
                m.status = status
                changed = True
                if status == "auto":
                    joined.append(m)
        if not changed:
            break
    return [m for m in merges if m.status != "none"]
