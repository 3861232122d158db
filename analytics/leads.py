"""Leads: likely hidden ties between people, by link prediction on the actor graph.

Investigation data misses ties (Berlusconi, Calderoni, Parolini, Verani & Piccardi 2016,
PLOS ONE 11:e0154244; Calderoni, Catanese, De Meo, Ficara & Fiumara 2020, Information Sciences
on the Montagna data). Local similarity indices recover them well (Liben-Nowell & Kleinberg
2007, JASIST 58:1019; Zhou, Lü & Zhang 2009, Eur. Phys. J. B 71:623). For two people x, y not
tied yet, with neighbour sets Γ and degrees k:

* common neighbours  ``CN(x, y) = |Γ(x) ∩ Γ(y)|``
* Adamic–Adar        ``AA(x, y) = Σ_{z ∈ Γ(x) ∩ Γ(y)} 1 / log k_z``
* resource allocation ``RA(x, y) = Σ_{z ∈ Γ(x) ∩ Γ(y)} 1 / k_z``

computed for all pairs at distance two at once as ``A·D·A`` with sparse matrices. Leads are
ranked by RA (the most accurate of the three in Zhou et al.), then AA, CN and the uids. Pairs
involving a known victim are not proposed, and victims are not named in reasons.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel

from analytics.projection import ActorGraph


class Lead(BaseModel):
    a: str
    a_name: str
    b: str
    b_name: str
    network: str | None
    common_neighbours: int
    adamic_adar: float
    resource_allocation: float
    reasons: list[str]


class LeadsResult(BaseModel):
    run_id: str = ""
    network: str | None
    leads: list[Lead]

    def to_json(self) -> dict[str, object]:
        """The stable `netzicht leads --json` document (README: "leads --json")."""
        return self.model_dump()


def predict_links(
    actor: ActorGraph,
    scope: np.ndarray,
    network_ids: list[str | None],
    top: int = 20,
    names_shown: int = 3,
) -> LeadsResult:
    """Top `top` leads among the people where `scope` is True (ties inside the scope only).

    `network_ids[i]` is the network of person i (for the output).
    """
    n = actor.n
    keep = scope[actor.src] & scope[actor.dst]
    src, dst = actor.src[keep], actor.dst[keep]
    a = sp.csr_matrix(
        (np.ones(2 * len(src)), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
        shape=(n, n),
    )
    a.data[:] = 1.0
    k = np.asarray(a.sum(axis=1)).ravel()
    inv_log = np.where(k > 1, 1.0 / np.log(np.maximum(k, 2)), 0.0)
    inv_k = np.where(k > 0, 1.0 / np.maximum(k, 1), 0.0)
    cn = sp.triu(a @ a, k=1).tocoo()
    aa = sp.triu(a @ sp.diags(inv_log) @ a, k=1).tocsr()
    ra = sp.triu(a @ sp.diags(inv_k) @ a, k=1).tocsr()
    rows, cols, counts = cn.row, cn.col, cn.data
    tied = np.asarray(a[rows, cols]).ravel() > 0 if len(rows) else np.zeros(0, dtype=bool)
    ok = ~tied & ~actor.victim[rows] & ~actor.victim[cols] & scope[rows] & scope[cols]
    rows, cols, counts = rows[ok], cols[ok], counts[ok]
    aa_v = np.asarray(aa[rows, cols]).ravel() if len(rows) else np.zeros(0)
    ra_v = np.asarray(ra[rows, cols]).ravel() if len(rows) else np.zeros(0)
    uid = actor.people.astype(str)
    order = np.lexsort((uid[cols], uid[rows], -counts, -np.round(aa_v, 12), -np.round(ra_v, 12)))[
        :top
    ]
    leads: list[Lead] = []
    for j in order:
        x, y = int(rows[j]), int(cols[j])
        common = np.intersect1d(a[x].indices, a[y].indices)
        named = [z for z in common if not actor.victim[z]]
        named.sort(key=lambda z: (-k[z], uid[z]))
        victims = int(actor.victim[common].sum())
        shown = ", ".join(str(actor.names[z]) or uid[z] for z in named[:names_shown])
        more = len(named) - min(len(named), names_shown)
        text = f"{len(common)} common contacts"
        if shown:
            text += f": {shown}" + (f" (+{more} more)" if more else "")
        if victims:
            text += f"; {victims} of them known victims"
        reasons = [text]
        hubs = [z for z in named if k[z] <= 3]
        if hubs:
            reasons.append(
                f"share {len(hubs)} contact{'s' if len(hubs) > 1 else ''} with few other ties "
                "(weighs heavily in resource allocation)"
            )
        leads.append(
            Lead(
                a=uid[x],
                a_name=str(actor.names[x]),
                b=uid[y],
                b_name=str(actor.names[y]),
                network=network_ids[x] if network_ids[x] == network_ids[y] else None,
                common_neighbours=int(counts[j]),
                adamic_adar=round(float(aa_v[j]), 6),
                resource_allocation=round(float(ra_v[j]), 6),
                reasons=reasons,
            )
        )
    return LeadsResult(network=None, leads=leads)
