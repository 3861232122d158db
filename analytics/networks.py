"""Networks: connected components split into Leiden communities, with ids stable across runs.

1. Weakly connected components of the actor graph, then Leiden communities (Traag, Waltman &
   van Eck 2019, Sci. Rep. 9:5233) maximising weighted modularity with resolution γ
   (Reichardt & Bornholdt 2006, Phys. Rev. E 74:016110):
   ``Q = 1/2m Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j)``.
   Leiden communities are connected, so each lies inside one component. Communities with at
   least `min_size` people are networks.
2. Sub-groups inside a network (for brokerage): Leiden again, on the ties inside networks only,
   maximising every network's *own* modularity at once. CPM with node weights
   ``n_i = k_i / sqrt(2 m_c)`` (``m_c`` the network's internal weight) turns
   ``Σ (A_ij − n_i n_j)`` into ``Σ_c 2 m_c Q_c``, and networks are disconnected from each other
   in that graph, so one call optimises each network's modularity separately.
3. Stable ids: a new network inherits the id of the previous run's network it overlaps most
   (greedy by overlap, each id used once, Jaccard ≥ `MIN_JACCARD` or half of either side);
   a previous network spread over several new ones is recorded as a split, a new network
   drawing on several previous ones as a merge (cf. Palla, Barabási & Vicsek 2007,
   Nature 446:664, on community evolution).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from analytics.backend import GraphBackend, ProjectedGraph, canonical_labels
from analytics.projection import PERSON, ActorGraph, source_of_person

MIN_JACCARD = 0.3
SIGNIFICANT_SHARE = 0.2


class NetworkChange(BaseModel):
    kind: str  # "split" | "merge"
    before: list[str]
    after: list[str]


class NetworkProfile(BaseModel):
    id: str
    size: int
    members: list[str]
    roles: dict[str, int]
    victims: int
    cases: list[str]
    sources: list[str]
    agencies: list[str]
    regions: dict[str, int]
    phenomena: dict[str, int]
    first_activity: str | None
    last_activity: str | None
    previous_size: int | None = None
    growth: int | None = None
    status: str = "new"  # new | continued | split | merged
    came_from: list[str] = Field(default_factory=list)


def actor_projection(actor: ActorGraph, directed: bool = False) -> ProjectedGraph:
    """The actor graph as a backend graph: undirected (weights summed) or directed."""
    if not directed or not actor.directed:
        return ProjectedGraph(actor.n, actor.src, actor.dst, actor.weight.copy(), directed=False)
    fwd = actor.w_fwd > 0
    bwd = actor.w_bwd > 0
    return ProjectedGraph(
        actor.n,
        np.concatenate([actor.src[fwd], actor.dst[bwd]]),
        np.concatenate([actor.dst[fwd], actor.src[bwd]]),
        np.concatenate([actor.w_fwd[fwd], actor.w_bwd[bwd]]),
        directed=True,
    )


def detect_communities(
    g: ProjectedGraph,
    backend: GraphBackend,
    resolution: float = 1.0,
    seed: int = 7,
    min_size: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Component and network label per node; network −1 for people in no network of min_size.

    Networks are numbered by size (largest first), ties broken by their smallest node.
    """
    components = backend.wcc(g)
    communities = backend.leiden(g, resolution=resolution, seed=seed)
    sizes = np.bincount(communities, minlength=communities.max() + 1 if len(communities) else 0)
    big = sizes >= min_size
    order = np.lexsort((np.arange(len(sizes)), -sizes))
    order = order[big[order]]
    rank = np.full(len(sizes), -1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    return components, rank[communities] if len(communities) else communities


def sub_groups(
    g: ProjectedGraph, network: np.ndarray, backend: GraphBackend, seed: int = 7
) -> np.ndarray:
    """Sub-group label per node: each network's own modularity communities (see module doc)."""
    inside = (network[g.src] == network[g.dst]) & (network[g.src] >= 0)
    w = np.ones(g.m) if g.weight is None else g.weight
    intra = ProjectedGraph(g.n, g.src[inside], g.dst[inside], w[inside], directed=False)
    strength = np.bincount(intra.src, weights=intra.weight, minlength=g.n) + np.bincount(
        intra.dst, weights=intra.weight, minlength=g.n
    )
    total = np.zeros(max(int(network.max()) + 1, 1) if len(network) else 1)
    np.add.at(total, network[network >= 0], strength[network >= 0])  # = 2 m_c per network
    two_m = np.where(network >= 0, total[np.maximum(network, 0)], 0.0)
    node_weights = np.where(two_m > 0, strength / np.sqrt(np.where(two_m > 0, two_m, 1.0)), 0.0)
    labels = backend.leiden(intra, resolution=1.0, seed=seed, node_weights=node_weights)
    labels = np.where(network >= 0, labels, -1)
    return np.where(labels >= 0, canonical_labels(labels), -1)


def match_networks(
    new: Sequence[Sequence[str]],
    previous: Mapping[str, Sequence[str]],
    next_number: int,
) -> tuple[list[str], list[NetworkChange], list[list[str]], int]:
    """Ids for the new networks, the splits/merges, each network's predecessors, next number.

    >>> before = {"net-0001": ["a", "b", "c", "d"]}
    >>> ids, changes, came, nxt = match_networks([["a", "b"], ["c", "d"]], before, 2)
    >>> ids, [c.kind for c in changes], nxt
    (['net-0001', 'net-0002'], ['split'], 3)
    """
    prev_of: dict[str, str] = {}
    for pid, members in previous.items():
        for uid in members:
            prev_of[uid] = pid
    rows = [(i, prev_of[uid]) for i, group in enumerate(new) for uid in group if uid in prev_of]
    ids: list[str | None] = [None] * len(new)
    came_from: list[list[str]] = [[] for _ in new]
    changes: list[NetworkChange] = []
    if rows:
        frame = pd.DataFrame(rows, columns=["new", "prev"])
        overlap = frame.value_counts().rename("overlap").reset_index()
        new_size = np.array([len(g) for g in new])
        prev_size = overlap["prev"].map({k: len(v) for k, v in previous.items()}).to_numpy()
        ov = overlap["overlap"].to_numpy()
        nsz = new_size[overlap["new"].to_numpy()]
        overlap["jaccard"] = ov / (nsz + prev_size - ov)
        overlap["significant"] = (ov >= np.maximum(2, SIGNIFICANT_SHARE * prev_size)) | (
            ov >= np.maximum(2, SIGNIFICANT_SHARE * nsz)
        )
        overlap["inherits"] = (
            (overlap["jaccard"] >= MIN_JACCARD) | (ov * 2 >= nsz) | (ov * 2 >= prev_size)
        )
        overlap = overlap.sort_values(
            ["overlap", "jaccard", "prev", "new"], ascending=[False, False, True, True]
        )
        used: set[str] = set()
        for row in overlap.itertuples(index=False):
            if row.inherits and ids[row.new] is None and row.prev not in used:
                ids[row.new] = str(row.prev)
                used.add(str(row.prev))
        significant = overlap.loc[overlap["significant"]]
        for i, group in significant.groupby("new"):
            came_from[int(i)] = sorted(str(p) for p in group["prev"])
        for pid, group in significant.groupby("prev"):
            if len(group) >= 2:
                changes.append(
                    NetworkChange(
                        kind="split",
                        before=[str(pid)],
                        after=[f"#{int(i)}" for i in sorted(group["new"])],
                    )
                )
    for i in range(len(new)):
        if ids[i] is None:
            ids[i] = f"net-{next_number:04d}"
            next_number += 1
    final = [str(i) for i in ids]
    for change in changes:
        change.after = sorted(final[int(a[1:])] for a in change.after)
    for i, sources in enumerate(came_from):
        if len(sources) >= 2:
            changes.append(NetworkChange(kind="merge", before=sources, after=[final[i]]))
    changes.sort(key=lambda c: (c.kind, c.before, c.after))
    return final, changes, came_from, next_number


def _iso(value: object) -> str | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def profile_networks(
    actor: ActorGraph,
    network: np.ndarray,
    ids: Sequence[str],
) -> list[NetworkProfile]:
    """Size, people by known role, cases, victims, sources, regions, phenomena, activity."""
    slice_ = actor.slice
    ents = slice_.entities
    ties = slice_.ties
    n_networks = len(ids)
    person_net = pd.Series(network, index=actor.people)
    uids = ents["uid"].to_numpy(dtype=object)
    labels = ents["label"].to_numpy(dtype=object)

    # person → entity rows (either direction), with the person's network
    s_is_p = labels[ties["s"].to_numpy()] == PERSON if len(ties) else np.array([], bool)
    d_is_p = labels[ties["d"].to_numpy()] == PERSON if len(ties) else np.array([], bool)
    att = pd.concat(
        [
            pd.DataFrame(
                {
                    "person": uids[ties["s"].to_numpy()[s_is_p]],
                    "entity": uids[ties["d"].to_numpy()[s_is_p]],
                    "type": ties["type"].to_numpy()[s_is_p],
                }
            ),
            pd.DataFrame(
                {
                    "person": uids[ties["d"].to_numpy()[d_is_p]],
                    "entity": uids[ties["s"].to_numpy()[d_is_p]],
                    "type": ties["type"].to_numpy()[d_is_p],
                }
            ),
        ],
        ignore_index=True,
    )
    att["net"] = att["person"].map(person_net).fillna(-1).astype(np.int64)
    att = att.loc[att["net"] >= 0]
    att["label"] = att["entity"].str.split(":", n=1).str[0]

    region_of = _entity_regions(actor)
    cases = slice_.nodes["Case"]
    signals = slice_.nodes["Signal"]

    profiles: list[NetworkProfile] = []
    members_of = pd.Series(actor.people).groupby(network).agg(list)
    tie_net = np.where(network[actor.src] == network[actor.dst], network[actor.src], -1)
    first = pd.Series(actor.first).groupby(tie_net).min()
    last = pd.Series(actor.last).groupby(tie_net).max()
    att_by_net = dict(tuple(att.groupby("net")))
    empty = att.iloc[0:0]
    for k in range(n_networks):
        members: list[str] = sorted(members_of.get(k, []))
        member_idx = [actor.index[u] for u in members]
        roles: dict[str, int] = {}
        for i in member_idx:
            role = "victim" if actor.victim[i] else (actor.roles[i] or "unknown")
            roles[str(role)] = roles.get(str(role), 0) + 1
        a = att_by_net.get(k, empty)
        case_ids = sorted(set(a.loc[a["label"] == "Case", "entity"]))
        signal_ids = sorted(set(a.loc[a["label"] == "Signal", "entity"]))
        sources = sorted({source_of_person(u) for u in members} - {""})
        agencies = sorted(
            {str(x) for x in cases.reindex(case_ids)["agency"].dropna()}
            | {str(x) for x in signals.reindex(signal_ids)["agency"].dropna()}
        )
        phen = pd.concat(
            [cases.reindex(case_ids)["phenomenon"], signals.reindex(signal_ids)["phenomenon"]]
        ).dropna()
        regions = pd.Series(
            [region_of.get(e) for e in sorted(set(a["entity"]))], dtype=object
        ).dropna()
        profiles.append(
            NetworkProfile(
                id=ids[k],
                size=len(members),
                members=members,
                roles=dict(sorted(roles.items())),
                victims=int(actor.victim[member_idx].sum()) if member_idx else 0,
                cases=case_ids,
                sources=sources,
                agencies=agencies,
                regions={str(r): int(c) for r, c in regions.value_counts().sort_index().items()},
                phenomena={str(p): int(c) for p, c in phen.value_counts().sort_index().items()},
                first_activity=_iso(first.get(k)),
                last_activity=_iso(last.get(k)),
            )
        )
    return profiles


def _entity_regions(actor: ActorGraph) -> dict[str, str]:
    """Region of every entity that has one: its `region` property, else its IN_REGION tie."""
    out: dict[str, str] = {}
    ties = actor.slice.ties
    uids = actor.slice.entities["uid"].to_numpy(dtype=object)
    in_region = ties.loc[(ties["type"] == "IN_REGION").to_numpy(dtype=bool)]
    for s, d in zip(in_region["s"].to_numpy(), in_region["d"].to_numpy(), strict=True):
        out[str(uids[s])] = str(uids[d]).split(":", 1)[1]
    for frame in actor.slice.nodes.values():
        if "region" in frame:
            regions = frame["region"].dropna()
            out.update({str(k): str(v) for k, v in regions.items() if v})
    return out
