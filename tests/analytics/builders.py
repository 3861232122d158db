"""Small stores for analytics tests, written through the real SQLite store (no mocks)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph_model.store.base import EdgeRecord, NodeRecord, WriteBatch
from graph_model.store.sqlite import SQLiteStore

INGESTED = "2024-06-01T00:00:00+00:00"


def person(source: str, record: str, name: str, role: str | None = None) -> NodeRecord:
    props: dict[str, Any] = {"name": name}
    if role is not None:
        props["role"] = role
    return NodeRecord(f"Person:{source}:{record}", "Person", name, props, source, record)


def node(uid: str, source: str = "police", **props: Any) -> NodeRecord:
    label = uid.split(":", 1)[0]
    name = str(props.get("name") or props.get("case_number") or uid.split(":", 1)[1])
    return NodeRecord(uid, label, name, props, source, uid)


def edge(
    src: str,
    rel: str,
    dst: str,
    date: str | None = None,
    weight: float = 1.0,
    record: str | None = None,
    source: str = "police",
    amount: float | None = None,
) -> EdgeRecord:
    props: dict[str, Any] = {}
    if amount is not None:
        props["amount"] = amount
    rec = record or f"{src}>{rel}>{dst}@{date}"
    return EdgeRecord(src, rel, dst, props, source, rec, date=date, weight=weight)


def write(path: Path, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> SQLiteStore:
    store = SQLiteStore(path)
    store.write_batch(WriteBatch(nodes=list(nodes), edges=list(edges)), INGESTED)
    return store


def trafficking_ring(
    prefix: str, source: str = "police"
) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """One planted network: an organiser who stays in the background, a lieutenant, a recruiter,
    a money mule, four victims living at an address the organiser owns, an ad phone.
    """
    p = lambda r, n, role=None: person(source, f"{prefix}{r}", n, role)  # noqa: E731
    boss = p("O", f"{prefix} Boss", "suspect")
    lieutenant = p("L", f"{prefix} Lieutenant", "suspect")
    recruiter = p("R", f"{prefix} Recruiter")
    mule = p("M", f"{prefix} Mule")
    victims = [p(f"V{i}", f"{prefix} Victim {i}", "victim") for i in range(4)]
    house = f"Address:{prefix}1011AB|1"
    ad_phone = f"Phone:+3161{prefix}0001"
    boss_acc, mule_acc = f"BankAccount:NL{prefix}BOSS", f"BankAccount:NL{prefix}MULE"
    nodes = [boss, lieutenant, recruiter, mule, *victims]
    nodes += [node(house, region="Amsterdam"), node(ad_phone), node(boss_acc), node(mule_acc)]
    case = f"Case:police:{prefix}-Z1"
    nodes.append(node(case, phenomenon="sexual_exploitation", region="Amsterdam", agency="police"))
    edges = [
        edge(boss.uid, "CALLED", lieutenant.uid, "2024-01-05"),
        edge(boss.uid, "CALLED", lieutenant.uid, "2024-02-05"),
        edge(lieutenant.uid, "CALLED", recruiter.uid, "2024-01-07"),
        edge(lieutenant.uid, "MET", mule.uid, "2024-01-09"),
        edge(boss.uid, "OWNS", house),
        edge(boss.uid, "HOLDS", boss_acc),
        edge(mule.uid, "HOLDS", mule_acc),
        edge(mule_acc, "TRANSFERRED_TO", boss_acc, "2024-03-01", amount=5000.0),
        edge(recruiter.uid, "USES", ad_phone),
        edge(lieutenant.uid, "SUSPECT_IN", case),
        edge(boss.uid, "SUSPECT_IN", case),
    ]
    for i, v in enumerate(victims):
        acc = f"BankAccount:NL{prefix}V{i}"
        ad = f"OnlineAd:site|{prefix}{i}"
        nodes += [node(acc), node(ad, title=f"ad {i}")]
        edges += [
            edge(v.uid, "LIVES_AT", house),
            edge(recruiter.uid, "CALLED", v.uid, f"2024-01-1{i}"),
            edge(v.uid, "HOLDS", acc),
            edge(acc, "TRANSFERRED_TO", mule_acc, f"2024-02-1{i}", amount=800.0),
            edge(ad, "LISTS", ad_phone),
            edge(ad, "LISTS", v.uid),
            edge(v.uid, "VICTIM_IN", case),
        ]
    return nodes, edges
