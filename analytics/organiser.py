"""The organiser score: centrality combined with role signals present in the data, with reasons.

Centrality alone is not leadership. Organisers trade efficiency for security and keep a low
direct profile (Morselli 2009, *Inside Criminal Networks*, ch. 4; Morselli, Giguère & Petit
2007, Social Networks 29:143); in wiretap graphs bosses are often not the most central
(Calderoni 2012, Trends Organ. Crime 15:321; Ficara et al. 2021 on the Montagna data); and
victims are structurally central (many ads, many contacts) but must never be ranked. So the
score combines, per person ``i``:

=================  =========  ===============================================================
component          weight     signal ``x_i`` → value ``f(x_i)`` in [0, 1]
=================  =========  ===============================================================
centrality         0.10       mean percentile inside the network of PageRank, betweenness
                              (inside the network), weighted degree and brokerage
money              0.35       controls money flows: accounts that pay the accounts paying the
                              person (money collected by intermediaries and passed up), plus
                              2 × victims' accounts among them, plus 0.25 × victims' accounts
                              paying the person directly; accounts the person holds or holds
                              through a company they direct: ``1 − exp(−x/8)``
victims_reach      0.10       victims (people) within two hops on the actor graph: ``1 − exp(−x/4)``
premises           0.15       victims living or working at addresses/companies the person
                              owns, directs or holds through a company: ``1 − exp(−x/2)``
ads                0.05       online ads listing a phone or e-mail the person controls:
                              ``1 − exp(−x/3)``
low_exposure       0.15       share of the victims within two hops *not* tied directly
sources            0.05       distinct sources the person's records (same phone, account,
                              e-mail or SAME_AS) appear in: ``1 − 1/x``
stated_role        0.05       a source records the person as organiser/leader (1) or in
                              another offender role (0.4), or as suspect in cases:
                              ``min(1, 0.4·cases)``
=================  =========  ===============================================================

``score_i = e_i · Σ_k weight_k · f_k(x_i)``, in [0, 1]. ``e_i = 1 − 0.5 ·`` (number of
exploitation indicators): paying other people's accounts while receiving nothing, and living
at a place another person owns with at least two residents — the marks of an unlabelled victim
(debt bondage, housing tied to the exploiter), so people the sources did not label as victims
still do not rise to the top. Collecting money directly from victims marks a collector (money
mule, landlord); money reaching a person *through* collectors marks control, hence the weights.

**A person is all their records.** Entity resolution links a human's records (police,
FIU, inspectorate, municipality) by SAME_AS; every role signal of a record is the signal of the
whole person — pooled over all the records SAME_AS joins, transitively: what any of them
controls, the cases any of them is suspect in, the roles any of them is recorded in, the
sources they span, the exploitation indicators. The person's own records are not neighbours of
the person (a SAME_AS tie is not a hop), and victims are counted as people, not records: a
victim tied directly to any of the person's records is a direct tie. Only centrality stays per
record (each record has its own place in the graph), so a person's records differ only there
and the person holds one key-actor place, under their best-scoring record.

The victims the signals count are the known and probable victims
(`ActorGraph.identified_victim`); possible victims — people marked only because they pay and
never receive — are protected (score 0) but not counted: that mark comes from the very money
flows the money signal reads, and counting it would let a collector's score feed on it.

The top reasons are the components with the largest ``e_i · weight_k · f_k`` in words
("receives transfers from 7 accounts of victims"). Victims — known, probable or possible (see
`analytics.projection.load_slice`) — get score 0, no rank and no reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.projection import LEADER_ROLES, SUSPECT_ROLES, ActorGraph, source_of_person

WEIGHTS: dict[str, float] = {
    "centrality": 0.10,
    "money": 0.35,
    "victims_reach": 0.10,
    "premises": 0.15,
    "ads": 0.05,
    "low_exposure": 0.15,
    "sources": 0.05,
    "stated_role": 0.05,
}
COMPONENTS = tuple(WEIGHTS)
EXPLOITATION_PENALTY = 0.5
CONTROL_TYPES = ("HOLDS", "OWNS", "DIRECTS", "USES")
COMPANY_CONTROL_TYPES = ("HOLDS", "OWNS", "REGISTERED_AT", "LOCATED_AT", "USES")
PREMISES_TYPES = ("LIVES_AT", "REGISTERED_AT", "WORKS_FOR")
IDENTIFIER_LABELS = ("Phone", "Email", "BankAccount")


@dataclass
class Signals:
    """Raw role signals per person (arrays aligned with `ActorGraph.people`)."""

    victim_accounts: np.ndarray  # victims' accounts paying in directly
    victim_accounts_indirect: np.ndarray  # ... through one intermediary account
    payer_accounts: np.ndarray
    collected_accounts: np.ndarray  # accounts paying the payers (not paying in directly)
    collectors: np.ndarray  # payer accounts that themselves receive money
    amount_in: np.ndarray
    victims_2hop: np.ndarray
    victims_direct: np.ndarray
    victims_premises: np.ndarray
    ads: np.ndarray
    sources: np.ndarray
    source_names: list[list[str]]
    suspect_cases: np.ndarray
    leader: np.ndarray  # bool: recorded as organiser/leader
    suspect_role: np.ndarray  # bool
    pure_payer: np.ndarray  # bool: pays other people's accounts, receives nothing
    tied_housing: np.ndarray  # bool: lives where another person owns the place, ≥ 2 residents


def _matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    data = np.ones(len(rows), dtype=np.float64)
    m = sp.csr_matrix((data, (rows, cols)), shape=shape)
    m.data[:] = 1.0
    return m


def _binary(m: sp.spmatrix) -> sp.csr_matrix:
    out = sp.csr_matrix(m, copy=True)
    out.data[:] = 1.0
    out.eliminate_zeros()
    return out


def compute_signals(actor: ActorGraph, network: np.ndarray) -> Signals:
    """Every role signal of the module table, vectorised over sparse incidence matrices."""
    slice_ = actor.slice
    ties = slice_.ties
    n_ent = len(slice_.entities)
    n = actor.n
    labels = slice_.entities["label"].to_numpy(dtype=object)
    person_of_entity = np.full(n_ent, -1, dtype=np.int64)
    pe = actor.person_entity
    person_of_entity[pe[pe >= 0]] = np.flatnonzero(pe >= 0)
    s = ties["s"].to_numpy(dtype=np.int64)
    d = ties["d"].to_numpy(dtype=np.int64)
    typ = ties["type"].to_numpy(dtype=object)
    s_person = person_of_entity[s] if n_ent else s
    d_person = person_of_entity[d] if n_ent else d

    def person_to_entity(types: tuple[str, ...]) -> sp.csr_matrix:
        mask = np.isin(typ, types) & (s_person >= 0) & (d_person < 0)
        return _matrix(s_person[mask], d[mask], (n, n_ent))

    def entity_to_entity(types: tuple[str, ...], from_label: str | None = None) -> sp.csr_matrix:
        mask = np.isin(typ, types) & (s_person < 0) & (d_person < 0)
        if from_label is not None:
            mask &= labels[s] == from_label
        return _matrix(s[mask], d[mask], (n_ent, n_ent))

    # Known and probable victims testify; possible victims (marked only by paying) are protected
    # but not counted: the mark comes from the money flows these signals read.
    victim_vec = actor.identified_victim.astype(np.float64)

    # A person is all the records entity resolution made them: every signal is pooled over them.
    person = actor.person
    records = _matrix(np.arange(n), person, (n, int(person.max()) + 1 if n else 0))
    same = _binary(records @ records.T)  # record × records of the same person (itself included)
    victim_people = sp.csr_matrix(records.multiply(victim_vec[:, None]))  # victim record × person

    def pooled(m: sp.spmatrix) -> sp.csr_matrix:
        return _binary(same @ m)

    def others(m: sp.spmatrix) -> sp.csr_matrix:
        """record × records without the person's own records."""
        m = _binary(m)
        return _binary(m - m.multiply(same))

    def distinct_victims(reached: sp.spmatrix) -> np.ndarray:
        """Per row, the distinct victims (people, not records) among the reached records."""
        return np.diff(_binary(reached @ victim_people).indptr).astype(np.float64)

    # control: what a person holds/owns/directs/uses, plus what companies they direct hold
    direct_control = pooled(person_to_entity(CONTROL_TYPES))
    company = entity_to_entity(COMPANY_CONTROL_TYPES, from_label="Organisation")
    control = _binary(direct_control + direct_control @ company)

    # money: accounts paying into controlled accounts, and the accounts paying *those*
    transfer = entity_to_entity(("TRANSFERRED_TO",))
    pays_into = _binary(transfer.T)  # account × accounts that paid it
    is_account = (labels == "BankAccount").astype(np.float64) if n_ent else np.zeros(0)
    own_accounts = _binary(control.multiply(is_account))
    back1 = _binary(control @ pays_into)
    back1 = _binary(back1 - back1.multiply(own_accounts))
    back2 = _binary(back1 @ pays_into)
    back2 = _binary(back2 - back2.multiply(back1) - back2.multiply(own_accounts))
    holder = person_to_entity(("HOLDS",))
    victim_held = (
        np.asarray(_binary(sp.csr_matrix(victim_vec) @ holder).todense()).ravel()
        if n_ent
        else np.zeros(0)
    )
    payer_accounts = np.asarray(back1.sum(axis=1)).ravel()
    collected_accounts = np.asarray(back2.sum(axis=1)).ravel()
    victim_accounts = back1 @ victim_held
    victim_accounts_indirect = back2 @ victim_held
    collectors = np.asarray(
        _binary(back1.multiply(np.asarray(pays_into.sum(axis=1)).ravel() > 0)).sum(axis=1)
    ).ravel()
    amounts = ties["amount"].to_numpy(dtype=np.float64)
    tmask = typ == "TRANSFERRED_TO"
    amount_into = np.bincount(d[tmask], weights=amounts[tmask], minlength=n_ent)
    amount_in = own_accounts @ amount_into if n_ent else np.zeros(n)

    # victims within two hops and directly, on the ties inside networks
    inside = (network[actor.src] == network[actor.dst]) & (network[actor.src] >= 0)
    a = _matrix(
        np.concatenate([actor.src[inside], actor.dst[inside]]),
        np.concatenate([actor.dst[inside], actor.src[inside]]),
        (n, n),
    )
    victims_2hop = distinct_victims(others(same @ (a + a @ a)))
    victims_direct = distinct_victims(others(same @ a))

    # premises: victims living/working/registered at what the person controls
    premises_of = person_to_entity(PREMISES_TYPES)  # person × premises entity
    victim_premises = sp.diags(victim_vec) @ premises_of
    victims_premises = distinct_victims(others(control @ victim_premises.T))

    # ads: online ads listing a phone / e-mail the person controls, or the person
    lists = entity_to_entity(("LISTS",), from_label="OnlineAd")
    ads_m = _binary(control @ lists.T)
    ads = np.asarray(ads_m.sum(axis=1)).ravel()

    # sources: records sharing an identifier or linked by SAME_AS
    ident = sp.csr_matrix(
        person_to_entity(("USES", "HOLDS")).multiply(
            np.isin(labels, IDENTIFIER_LABELS).astype(np.float64) if n_ent else np.zeros(0)
        )
    )
    # a phone or account shared by a crowd identifies nobody (and would make co quadratic)
    holders = np.asarray(ident.sum(axis=0)).ravel()
    ident = sp.csr_matrix(
        ident.multiply((holders <= actor.config.max_artefact_people).astype(np.float64))
    )
    co = _binary(ident @ ident.T + same)
    source_codes, source_names = pd.factorize(
        pd.Series([source_of_person(u) for u in actor.people], dtype=object)
    )
    src_m = _matrix(np.arange(n), source_codes, (n, max(len(source_names), 1)))
    per_source = _binary(co @ src_m)
    sources = np.asarray(per_source.sum(axis=1)).ravel()
    names_arr = np.asarray(source_names, dtype=object)
    source_lists = (
        [
            sorted(
                str(x)
                for x in names_arr[
                    per_source.indices[per_source.indptr[i] : per_source.indptr[i + 1]]
                ]
            )
            for i in range(n)
        ]
        if n <= 200_000
        else [[] for _ in range(n)]
    )

    # exploitation indicators (possible victims the sources did not label)
    paid_accounts = _binary(control @ transfer)  # person × accounts they pay into
    paid_accounts = _binary(paid_accounts - paid_accounts.multiply(own_accounts))
    pure_payer = (np.asarray(paid_accounts.sum(axis=1)).ravel() > 0) & (payer_accounts == 0)
    lives = person_to_entity(("LIVES_AT",))
    owns = person_to_entity(("OWNS",))
    residents = np.asarray(lives.sum(axis=0)).ravel()
    owned_by_other = others(pooled(lives.multiply(residents >= 2)) @ owns.T)
    tied_housing = np.asarray(owned_by_other.sum(axis=1)).ravel() > 0

    suspect_m = pooled(person_to_entity(("SUSPECT_IN",)))
    suspect_cases = np.asarray(suspect_m.sum(axis=1)).ravel()
    roles = pd.Series(actor.roles, dtype=object).fillna("").astype(str).str.strip().str.lower()
    leader = (same @ roles.isin(LEADER_ROLES).to_numpy().astype(np.float64)) > 0
    suspect_role = (same @ roles.isin(SUSPECT_ROLES).to_numpy().astype(np.float64)) > 0
    return Signals(
        victim_accounts=np.asarray(victim_accounts).ravel(),
        victim_accounts_indirect=np.asarray(victim_accounts_indirect).ravel(),
        payer_accounts=payer_accounts,
        collected_accounts=collected_accounts,
        collectors=collectors,
        amount_in=np.asarray(amount_in).ravel(),
        victims_2hop=np.asarray(victims_2hop).ravel(),
        victims_direct=np.asarray(victims_direct).ravel(),
        victims_premises=victims_premises,
        ads=ads,
        sources=sources,
        source_names=source_lists,
        suspect_cases=suspect_cases,
        leader=np.asarray(leader).ravel(),
        suspect_role=np.asarray(suspect_role).ravel(),
        pure_payer=np.asarray(pure_payer).ravel(),
        tied_housing=tied_housing,
    )


def percentile_in_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Rank of each value inside its group, scaled to (0, 1]; ties share the lower rank.

    Groups −1 (people in no network) form one group of their own. Values are compared at 9
    significant digits, so float noise (1e-15 from one backend, 1e-12 from another) never turns
    equal centralities into different ranks.
    """
    v = np.asarray(values, dtype=float)
    scale = 10.0 ** (np.floor(np.log10(np.abs(np.where(v != 0, v, 1.0)))) - 8)
    frame = pd.DataFrame({"v": np.round(v / scale) * scale, "g": groups})
    ranks = frame.groupby("g")["v"].rank(method="min", pct=True)
    return ranks.to_numpy()


def centrality_component(
    pagerank: np.ndarray,
    betweenness: np.ndarray,
    strength: np.ndarray,
    brokerage: np.ndarray,
    groups: np.ndarray,
    eligible: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean within-network percentile of the four measures, among eligible (non-victim) people.

    Returns the component value and the per-measure percentiles (n × 4) for the reasons.
    """
    g = np.where(eligible, groups, -2)
    parts = np.column_stack(
        [percentile_in_group(x, g) for x in (pagerank, betweenness, strength, brokerage)]
    )
    # A measure that is zero everywhere in a group says nothing: count it as 0, not as a tie.
    parts = np.where(np.column_stack([pagerank, betweenness, strength, brokerage]) > 0, parts, 0.0)
    return parts.mean(axis=1) * eligible, parts


def signal_components(sig: Signals) -> np.ndarray:
    """f_k(x) for every non-centrality component (n × 7), in the order of `COMPONENTS[1:]`."""
    money = sig.collected_accounts + 2.0 * sig.victim_accounts_indirect + 0.25 * sig.victim_accounts
    exposure = np.where(
        sig.victims_2hop > 0,
        (sig.victims_2hop - sig.victims_direct) / np.maximum(sig.victims_2hop, 1),
        0.0,
    )
    role = np.maximum(
        np.where(sig.leader, 1.0, np.where(sig.suspect_role, 0.4, 0.0)),
        np.minimum(1.0, 0.4 * sig.suspect_cases),
    )
    return np.column_stack(
        [
            1 - np.exp(-money / 8.0),
            1 - np.exp(-sig.victims_2hop / 4.0),
            1 - np.exp(-sig.victims_premises / 2.0),
            1 - np.exp(-sig.ads / 3.0),
            np.clip(exposure, 0.0, 1.0),
            1 - 1 / np.maximum(sig.sources, 1),
            role,
        ]
    )


def exploitation_factor(sig: Signals) -> np.ndarray:
    """1 − 0.5 per exploitation indicator a person shows (possible unlabelled victims)."""
    return 1.0 - EXPLOITATION_PENALTY * (sig.pure_payer.astype(float) + sig.tied_housing)


def organiser_scores(
    centrality: np.ndarray, signal_parts: np.ndarray, eligible: np.ndarray, factor: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(score, weighted contributions n × 8) — victims (not eligible) score 0."""
    weights = np.array([WEIGHTS[k] for k in COMPONENTS])
    contributions = np.column_stack([centrality, signal_parts]) * weights
    contributions = contributions * (eligible * factor)[:, None]
    return contributions.sum(axis=1), contributions


_MEASURES = ("PageRank", "betweenness", "weighted degree", "brokerage")


def plural(count: float, word: str, many: str | None = None) -> str:
    """ "1 account", "7 accounts"."""
    n = int(count)
    return f"{n} {word if n == 1 else (many or word + 's')}"


def reasons_for(
    i: int,
    contributions: np.ndarray,
    sig: Signals,
    measure_pct: np.ndarray,
    degree: np.ndarray,
    sole_bridges: np.ndarray,
    groups_tied: np.ndarray,
    limit: int = 3,
) -> list[str]:
    """The top components of person i's score, in words."""
    order = np.lexsort((np.arange(len(COMPONENTS)), -contributions[i]))
    out: list[str] = []
    for k in order:
        if contributions[i, k] <= 0 or len(out) >= limit:
            break
        name = COMPONENTS[k]
        if name == "centrality":
            if sole_bridges[i] >= 1:
                out.append(f"only link between {int(sole_bridges[i]) + 1} sub-groups")
            else:
                best = int(np.argmax(measure_pct[i]))
                top = max(1, round(100 * (1 - measure_pct[i, best]) + 0.5))
                extra = f"ties with {int(degree[i])} people; " if best == 2 else ""
                if best == 3:
                    out.append(f"links {int(groups_tied[i]) + 1} sub-groups of the network")
                else:
                    out.append(f"{extra}{_MEASURES[best]} in the top {top}% of the network")
        elif name == "money":
            if sig.collected_accounts[i] > 0:
                text = (
                    f"receives transfers from {plural(sig.collectors[i], 'account')} that "
                    f"collect from {int(sig.collected_accounts[i])} others"
                )
                if sig.victim_accounts_indirect[i] > 0:
                    text += f" ({int(sig.victim_accounts_indirect[i])} of victims)"
                out.append(text)
            elif sig.victim_accounts[i] > 0:
                out.append(
                    "receives transfers from "
                    f"{plural(sig.victim_accounts[i], 'account')} of victims"
                )
            else:
                amount = f" (€{sig.amount_in[i]:,.0f})" if sig.amount_in[i] > 0 else ""
                out.append(
                    f"receives transfers from {plural(sig.payer_accounts[i], 'account')}{amount}"
                )
        elif name == "victims_reach":
            out.append(f"linked to {plural(sig.victims_2hop[i], 'victim')} within two hops")
        elif name == "premises":
            out.append(
                "holds addresses or companies where "
                f"{plural(sig.victims_premises[i], 'victim')} live or work"
            )
        elif name == "ads":
            out.append(f"phones in {plural(sig.ads[i], 'online ad')}")
        elif name == "low_exposure":
            direct = int(sig.victims_direct[i])
            total = plural(sig.victims_2hop[i], "victim")
            out.append(
                f"no direct tie to any of the {total} within two hops"
                if direct == 0
                else f"direct ties to only {direct} of the {total} within two hops"
            )
        elif name == "sources":
            names = sig.source_names[i]
            listed = f" ({', '.join(names)})" if names else ""
            out.append(f"present in {plural(sig.sources[i], 'source')}{listed}")
        elif name == "stated_role":
            if sig.leader[i]:
                out.append("recorded as organiser by a source")
            else:
                cases = int(sig.suspect_cases[i])
                out.append(
                    f"suspect in {plural(cases, 'case')}" if cases else "recorded as suspect"
                )
    return out
