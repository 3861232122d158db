"""The analytics service: what the CLI and the dashboard call for networks, key actors, what-ifs.

It reads the store through the `GraphStore` protocol, runs `analytics/` and writes every result
back with a run id (`store.save_result`, and per person `store.save_node_results`). The previous
analysis run is read back to keep network ids stable.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analytics.analysis import (
    AnalysisResult,
    Measures,
    NetworkResult,
    analyse,
    network_ids_per_person,
    organiser_ranker,
)
from analytics.backend import ProjectedGraph, get_backend
from analytics.disruption import STRATEGIES, DisruptionResult, simulate
from analytics.evaluate import EvaluationResult, evaluate, load_truth
from analytics.leads import LeadsResult, predict_links
from analytics.networks import actor_projection
from analytics.organiser import LEADER_ROLES
from analytics.projection import (
    ActorGraph,
    AnalyticsError,
    ProjectionConfig,
    check_window,
    parse_date,
    project,
)
from analytics.report import write_report
from analytics.trends import Trends, compute_trends
from graph_model.store.base import GraphStore
from netzicht.retention import ERASURE_MARK
from netzicht.settings import Settings

ANALYSIS = "analysis"
# Parsed analysis documents, newest last: (store uri, run id, last erasure mark) -> result.
_PARSED: OrderedDict[tuple[str, str, str], AnalysisResult] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_KEPT = 4
ACTORS_STORED = 1000
REPORT_NETWORKS = 20
REPORT_STEPS = 10

DateLike = str | dt.date | None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _run_id(kind: str, created: str) -> str:
    stamp = created[:19].replace("-", "").replace(":", "")
    return f"{kind}-{stamp}-{uuid.uuid4().hex[:6]}"


class AnalyticsService:
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.config = ProjectionConfig.load()
        self._graphs: dict[tuple[Any, ...], ActorGraph] = {}
        self._latest: AnalysisResult | None = None
        self._version: tuple[str, str] | None = None  # (latest analysis run, last erasure mark)
        self._rankers: dict[tuple[int, str], Any] = {}

    # -- helpers -----------------------------------------------------------------------------

    def _window(self, since: DateLike, until: DateLike) -> tuple[dt.date | None, dt.date | None]:
        s, u = parse_date(since, "--since"), parse_date(until, "--until")
        check_window(s, u)
        return s, u

    def actor_graph(
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        relation_types: Sequence[str] | None = None,
    ) -> ActorGraph:
        """The projected actor graph for a window and relationship types (cached per service)."""
        key = (since, until, tuple(sorted(relation_types or ())))
        if key not in self._graphs:
            self._graphs[key] = project(self.store, since, until, relation_types, self.config)
        return self._graphs[key]

    def latest_analysis(self) -> AnalysisResult | None:
        """The newest analysis run in the store (read once per service, then kept).

        The document itself is parsed once per process for each (store, run, last erasure): a
        dashboard makes a service per page run, and parsing and validating a large analysis
        (every network's members) on each one would cost seconds. An erasure scrubs the stored
        document in place, under the same run id, and leaves a new mark, hence the mark in the
        key. Callers never change the result (masking works on copies).
        """
        if self._latest is None:
            run_id, erased = self.version()
            if not run_id:
                return None
            key = (self.store.uri, run_id, erased)
            with _PARSED_LOCK:
                cached = _PARSED.get(key)
            if cached is None:
                found = self.store.result(run_id)
                if found is None:  # deleted between the two reads
                    return None
                cached = AnalysisResult.model_validate(found)
                with _PARSED_LOCK:
                    _PARSED[key] = cached
                    while len(_PARSED) > _PARSED_KEPT:
                        _PARSED.popitem(last=False)
            self._latest = cached
        return self._latest

    def version(self) -> tuple[str, str]:
        """(latest analysis run id, last erasure mark), "" for none, read once per service:
        what a reader that caches results (the dashboard) keys its caches on."""
        if self._version is None:
            self._version = (
                self.store.latest_result_id(ANALYSIS) or "",
                self.store.latest_result_id(ERASURE_MARK) or "",
            )
        return self._version

    def _require_analysis(self) -> AnalysisResult:
        latest = self.latest_analysis()
        if latest is None:
            raise AnalyticsError("no analysis run in this store yet: run `netzicht analyze` first")
        return latest

    def network(self, network_id: str) -> NetworkResult:
        latest = self._require_analysis()
        for net in latest.networks:
            if net.id == network_id:
                return net
        known = ", ".join(n.id for n in latest.networks[:10])
        raise AnalyticsError(
            f"--network: no network {network_id!r} in run {latest.run_id} (e.g. {known})"
        )

    def _source_ids(self, uid: str) -> list[str]:
        ids: list[str] = []
        parts = uid.split(":", 2)
        if len(parts) == 3:
            ids.append(f"{parts[1]}:{parts[2]}")
        node = self.store.get_node(uid)
        if node is not None:
            for prov in node.sources:
                ref = f"{prov.source}:{prov.record}"
                if ref not in ids:
                    ids.append(ref)
        return ids

    # -- analyze -----------------------------------------------------------------------------

    def analyze(
        self,
        since: DateLike = None,
        until: DateLike = None,
        top: int = 100,
        resolution: float = 1.0,
        seed: int | None = None,
        backend: str = "auto",
        relation_types: Sequence[str] | None = None,
        min_size: int = 3,
    ) -> AnalysisResult:
        """Networks, key actors and organiser scores; saved with a new run id."""
        if top < 1:
            raise AnalyticsError("--top must be at least 1")
        if resolution <= 0:
            raise AnalyticsError("--resolution must be positive")
        s, u = self._window(since, until)
        seed = self.settings.seed if seed is None else seed
        engine = get_backend(backend, self.store)
        actor = self.actor_graph(s, u, relation_types)
        previous = self.latest_analysis()
        result, measures = analyse(
            actor,
            engine,
            resolution=resolution,
            seed=seed,
            min_size=min_size,
            previous={n.id: n.members for n in previous.networks} if previous else None,
            previous_sizes={n.id: n.size for n in previous.networks} if previous else None,
            next_number=previous.next_network_number if previous else 1,
            since=s,
            until=u,
            actors_kept=max(top, ACTORS_STORED),
        )
        for actor_result in result.actors[: max(top, 100)]:
            actor_result.source_ids = self._source_ids(actor_result.uid)
        result.created = _now()
        result.run_id = _run_id(ANALYSIS, result.created)
        self.store.save_result(result.run_id, ANALYSIS, result.created, result.model_dump())
        self.store.save_node_results(result.run_id, self._node_rows(actor, result, measures))
        self._latest = result
        self._version = (result.run_id, self.version()[1])
        return result

    def _node_rows(
        self, actor: ActorGraph, result: AnalysisResult, m: Measures
    ) -> list[tuple[str, str | None, dict[str, Any]]]:
        # By membership, not by position: the result lists networks in its own order.
        network_of = {uid: net.id for net in result.networks for uid in net.members}
        reasons = {a.uid: a.reasons for a in result.actors}
        ranks = {a.uid: a.rank for a in result.actors}
        rows: list[tuple[str, str | None, dict[str, Any]]] = []
        for i, uid in enumerate(actor.people):
            net = network_of.get(str(uid))
            rows.append(
                (
                    str(uid),
                    net,
                    {
                        "network": net,
                        "victim": bool(actor.victim[i]),
                        "victim_reason": actor.slice.victim_reasons.get(str(uid)),
                        "rank": ranks.get(str(uid)),
                        "organiser_score": round(float(m.score[i]), 6),
                        "degree": int(m.degree[i]),
                        "weighted_degree": round(float(m.strength[i]), 6),
                        "pagerank": round(float(m.pagerank[i]), 9),
                        "betweenness": round(float(m.betweenness[i]), 6),
                        "brokerage": int(m.brokerage[i]),
                        "reasons": reasons.get(str(uid), []),
                    },
                )
            )
        return rows

    # -- disrupt -----------------------------------------------------------------------------

    def _scope(
        self,
        actor: ActorGraph,
        network: str | None,
        latest: AnalysisResult | None,
    ) -> tuple[ProjectedGraph, np.ndarray]:
        g = actor_projection(actor)
        if network is None:
            return g, np.arange(actor.n)
        if latest is None:
            raise AnalyticsError("--network needs an analysis run: run `netzicht analyze` first")
        net = self.network(network)
        keep = np.isin(actor.people, net.members)
        sub, old = g.subgraph(keep)
        return sub, old

    def disrupt(
        self,
        strategy: str,
        mode: str = "sequential",
        block_size: int = 1,
        steps: int = 10,
        weighted: bool = False,
        relation_types: Sequence[str] | None = None,
        network: str | None = None,
        since: DateLike = None,
        until: DateLike = None,
        people: Sequence[str] | None = None,
        seed: int | None = None,
        backend: str = "auto",
        save: bool = True,
    ) -> DisruptionResult:
        """Remove people by a strategy and record the LCC curve (see analytics.disruption)."""
        if strategy not in STRATEGIES:
            raise AnalyticsError(f"--strategy: {strategy!r} is not one of {', '.join(STRATEGIES)}")
        if strategy != "set" and people:
            raise AnalyticsError("--people only goes with --strategy set")
        s, u = self._window(since, until)
        seed = self.settings.seed if seed is None else seed
        engine = get_backend(backend, self.store, interactive=True)
        actor = self.actor_graph(s, u, relation_types)
        latest = self.latest_analysis()
        g, old = self._scope(actor, network, latest)
        uids = actor.people[old]
        victim = actor.victim[old]
        labels = (
            network_ids_per_person(latest, actor)
            if latest is not None
            else np.full(actor.n, -1, dtype=np.int64)
        )
        organiser_mask = self._organisers(actor, latest)[old]
        ranker = None
        if strategy == "organiser":
            key = (id(actor), latest.run_id if latest else "")
            if key not in self._rankers:
                self._rankers[key] = organiser_ranker(actor, labels, engine, seed)
            ranker = self._rankers[key](old)
        result = simulate(
            g,
            uids,
            victim,
            organiser_mask,
            strategy=strategy,
            mode=mode,
            block_size=block_size,
            steps=steps,
            weighted=weighted,
            seed=seed,
            backend=engine,
            people=people,
            organiser=ranker,
            person=actor.person[old],
        )
        result.network = network
        if save:
            created = _now()
            result.run_id = _run_id("disruption", created)
            self.store.save_result(result.run_id, "disruption", created, result.model_dump())
        return result

    def _organisers(self, actor: ActorGraph, latest: AnalysisResult | None) -> np.ndarray:
        """The top key actor of every network, and people a source records as organiser."""
        roles = np.array([str(r or "").strip().lower() for r in actor.roles], dtype=object)
        mask = np.isin(roles, list(LEADER_ROLES))
        if latest is not None:
            top = [n.key_actors[0].uid for n in latest.networks if n.key_actors]
            mask |= np.isin(actor.people, top)
        return mask & ~actor.victim

    # -- leads, report, evaluate, trends --------------------------------------------------------

    def leads(
        self,
        network: str | None = None,
        top: int = 20,
        since: DateLike = None,
        until: DateLike = None,
    ) -> LeadsResult:
        """Suggested hidden ties inside one network, or inside all networks of the last run."""
        if top < 1:
            raise AnalyticsError("--top must be at least 1")
        latest = self._require_analysis()
        s, u = self._window(since, until)
        actor = self.actor_graph(s, u)
        labels = network_ids_per_person(latest, actor)
        ids = [n.id for n in latest.networks]
        if network is not None:
            k = ids.index(self.network(network).id)
            scope = labels == k
        else:
            scope = labels >= 0
        result = predict_links(actor, scope, [ids[x] if x >= 0 else None for x in labels], top=top)
        result.network = network
        created = _now()
        result.run_id = _run_id("leads", created)
        self.store.save_result(result.run_id, "leads", created, result.model_dump())
        return result

    def report(
        self,
        out_dir: Path,
        network: str | None = None,
        steps: int = REPORT_STEPS,
        seed: int | None = None,
    ) -> list[Path]:
        """Markdown + SVG per network: figure, key actors with reasons, disruption curves."""
        latest = self._require_analysis()
        seed = self.settings.seed if seed is None else seed
        s = parse_date(latest.since)
        u = parse_date(latest.until)
        actor = self.actor_graph(s, u, latest.relation_types or None)
        chosen = [self.network(network)] if network else latest.networks[:REPORT_NETWORKS]
        curves: dict[str, list[DisruptionResult]] = {}
        for net in chosen:
            curves[net.id] = [
                self.disrupt(
                    strategy,
                    "sequential",
                    steps=steps,
                    network=net.id,
                    since=s,
                    until=u,
                    relation_types=latest.relation_types or None,
                    seed=seed,
                    save=False,
                )
                for strategy in ("betweenness", "organiser", "degree")
            ]
        paths = write_report(out_dir, latest, actor, chosen, curves, seed)
        created = _now()
        self.store.save_result(
            _run_id("report", created),
            "report",
            created,
            {
                "analysis": latest.run_id,
                "networks": [n.id for n in chosen],
                "files": [str(p) for p in paths],
                "disruption": {k: [c.model_dump() for c in v] for k, v in curves.items()},
            },
        )
        return paths

    def evaluate(self, truth_path: Path, run_id: str | None = None) -> EvaluationResult:
        """Score an analysis run (default: the latest) against synth ground truth."""
        truth = load_truth(truth_path)
        if run_id is None:
            document = self._require_analysis().model_dump()
        else:
            found = self.store.result(run_id)
            if found is None:
                raise AnalyticsError(f"--run: no result {run_id!r} in this store")
            document = found
        protected = frozenset(
            node.uid
            for node in self.store.iter_nodes(["Person"])
            if node.properties.get("pseudonymised")
        )
        result = evaluate(truth, document, truth_name=str(truth_path), protected=protected)
        created = _now()
        self.store.save_result(
            _run_id("evaluation", created), "evaluation", created, result.model_dump()
        )
        return result

    def trends(self, since: DateLike = None, until: DateLike = None) -> Trends:
        s, u = self._window(since, until)
        return compute_trends(self.store, s, u)
