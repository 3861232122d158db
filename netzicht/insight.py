"""The analytics as each role may see them: region scope, pseudonyms, protected records.

`Service.insight` wraps the analytics service; the CLI and the dashboard read networks, actors,
disruption curves, leads and trends through it, never around it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analytics.analysis import AnalysisResult, NetworkResult
from analytics.disruption import DisruptionResult
from analytics.leads import LeadsResult
from analytics.projection import parse_date
from netzicht.network_view import NetworkView, network_view
from netzicht.privacy.aggregates import PrivacyBudget, SuppressedTable, dp_counts, suppress

if TYPE_CHECKING:
    from netzicht.service import Service

TREND_DIMS = ("region", "month", "phenomenon")


@dataclass(frozen=True)
class Overview:
    networks: int
    people: int
    victims: int
    signals: int
    sources: int
    analysis_run: str | None
    largest: list[dict[str, Any]]
    growing: list[dict[str, Any]]


def _salt(data_dir: Path) -> bytes:
    """A per-installation secret for display pseudonyms (kept beside the audit log, 0600)."""
    path = data_dir / "display-pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


class Insight:
    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.analytics = svc.analytics
        self._salt: bytes | None = None

    # -- who sees what -------------------------------------------------------------------------

    @property
    def identity(self) -> Any:
        return self.svc.identity

    def shows_names(self) -> bool:
        return bool(self.identity.may("read_personal"))

    def display_name(self, uid: str, name: str) -> str:
        """The name for this viewer: as ingested, or a stable pseudonym for pseudonym roles."""
        if self.shows_names():
            return name
        if self._salt is None:
            self._salt = _salt(self.svc.settings.data_dir)
        digest = hmac.new(self._salt, uid.encode(), hashlib.sha256).hexdigest()[:10]
        return f"pseudonym {digest}"

    def _visible(self, net: NetworkResult) -> bool:
        return bool(self.identity.sees_any_region(net.regions))

    def _mask_network(self, net: NetworkResult) -> NetworkResult:
        if self.shows_names():
            return net
        actors = [
            a.model_copy(update={"name": self.display_name(a.uid, a.name)}) for a in net.key_actors
        ]
        return net.model_copy(update={"key_actors": actors})

    # -- networks ------------------------------------------------------------------------------

    def latest(self) -> AnalysisResult | None:
        self.svc.require("read_pseudonymised", "networks")
        return self.analytics.latest_analysis()

    def networks(self) -> list[NetworkResult]:
        latest = self.latest()
        if latest is None:
            return []
        return [self._mask_network(n) for n in latest.networks if self._visible(n)]

    def network(self, network_id: str) -> NetworkResult:
        self.svc.require("read_pseudonymised", network_id)
        net = self.analytics.network(network_id)
        if not self._visible(net):
            raise self.svc._refuse(
                "read_region", f"network {network_id} ({', '.join(net.regions)})"
            )
        self.svc.audit("read_network", network_id, {"members": net.size})
        return self._mask_network(net)

    def network_view(self, network_id: str) -> NetworkView:
        net = self.network(network_id)
        latest = self.analytics.latest_analysis()
        assert latest is not None
        actor = self.analytics.actor_graph(
            parse_date(latest.since), parse_date(latest.until), latest.relation_types or None
        )
        view = network_view(actor, latest, net.id)
        if self.shows_names():
            return replace(view, network=net)
        members = [replace(m, name=self.display_name(m.uid, m.name)) for m in view.members]
        # Tie reasons name phones and accounts; pseudonym roles see the kinds of evidence only.
        ties = [
            replace(t, reasons=[f"{len(t.reasons)} kinds of shared evidence"]) for t in view.ties
        ]
        return replace(view, network=net, members=members, ties=ties)

    def overview(self) -> Overview:
        stats = self.svc.stats()
        latest = (
            self.analytics.latest_analysis() if self.identity.may("read_pseudonymised") else None
        )
        nets = self.networks() if latest else []
        victims = sum(n.victims for n in nets)
        runs = self.svc.runs(limit=10_000)

        def row(n: NetworkResult) -> dict[str, Any]:
            return {
                "network": n.id,
                "size": n.size,
                "victims": n.victims,
                "regions": ", ".join(list(n.regions)[:3]),
                "last activity": n.last_activity,
                "growth": n.growth,
            }

        largest = [row(n) for n in sorted(nets, key=lambda n: (-n.size, n.id))[:10]]
        growing = [
            row(n)
            for n in sorted(nets, key=lambda n: (-(n.growth or 0), n.id))
            if (n.growth or 0) > 0
        ][:10]
        return Overview(
            networks=len(nets),
            people=stats.nodes.get("Person", 0),
            victims=victims,
            signals=stats.nodes.get("Signal", 0),
            sources=len({r.source for r in runs}),
            analysis_run=latest.run_id if latest else None,
            largest=largest,
            growing=growing,
        )

    # -- what-if and leads ---------------------------------------------------------------------

    def disrupt(self, strategy: str, **options: Any) -> DisruptionResult:
        self.svc.require("disrupt", str(options.get("network") or "whole graph"))
        if options.get("network"):
            self.network(str(options["network"]))  # region check
        result: DisruptionResult = self.analytics.disrupt(strategy, **options)
        self.svc.audit(
            "disrupt",
            str(options.get("network") or "whole graph"),
            {"strategy": result.strategy, "mode": result.mode},
        )
        return result

    def leads(self, network: str | None = None, top: int = 20) -> LeadsResult:
        self.svc.require("read_pseudonymised", "leads")
        if network:
            self.network(network)
        result: LeadsResult = self.analytics.leads(network=network, top=top)
        if not self.shows_names():
            result.leads = [
                lead.model_copy(
                    update={
                        "a_name": self.display_name(lead.a, lead.a_name),
                        "b_name": self.display_name(lead.b, lead.b_name),
                        "reasons": [],
                    }
                )
                for lead in result.leads
            ]
        return result

    def run_analysis(self, **options: Any) -> AnalysisResult:
        """Run an analysis (saved with its run id); names as this identity may see them."""
        self.svc.require("analyze", "analysis")
        result: AnalysisResult = self.analytics.analyze(**options)
        self.svc.audit("analyze", result.run_id, {"networks": len(result.networks)})
        if self.shows_names():
            return result
        actors = [
            a.model_copy(update={"name": self.display_name(a.uid, a.name)}) for a in result.actors
        ]
        return result.model_copy(
            update={"networks": [self._mask_network(n) for n in result.networks], "actors": actors}
        )

    def report(self, out_dir: Path, network: str | None = None) -> list[Path]:
        """Per-network reports with names: for roles that may export personal data."""
        self.svc.require("export_personal", f"report {network or 'all networks'}")
        if network:
            self.network(network)
        paths: list[Path] = self.analytics.report(out_dir, network=network)
        self.svc.audit("export", f"report {network or 'all networks'}", {"files": len(paths)})
        return paths

    def networks_of_phones(self, phones: Sequence[str]) -> dict[str, list[str]]:
        """For ad phones (E.164): the networks of the people who use them (latest analysis)."""
        self.svc.require("read_pseudonymised", "ad phones")
        found: dict[str, list[str]] = {}
        for phone in phones:
            around = self.svc.store.neighbourhood(
                f"Phone:{phone}", hops=1, limit=200, types=["USES"]
            )
            nets = {
                doc["network"]
                for n in around.nodes
                if n.label == "Person"
                and (doc := self.svc.store.node_result(n.uid)) is not None
                and doc.get("network")
            }
            found[phone] = sorted(nets)
        return found

    # -- trends --------------------------------------------------------------------------------

    def trends(self, since: str | None = None, until: str | None = None) -> pd.DataFrame:
        """Counts by kind, region, month and phenomenon (aggregates: every role may see them)."""
        self.svc.require("read_aggregates", "trends")
        result = self.analytics.trends(since, until)
        frame = pd.DataFrame([r.model_dump() for r in result.rows])
        if frame.empty:
            frame = pd.DataFrame(columns=["kind", *TREND_DIMS, "count"])
        if not self.identity.all_regions and not self.identity.may("read_personal"):
            return frame  # aggregates are shared across regions; no personal data in them
        return frame

    def safe_trends(
        self,
        kind: str,
        k: int = 10,
        epsilon: float | None = None,
        dims: Sequence[str] = TREND_DIMS,
    ) -> SuppressedTable:
        """A trend table safe to share: small cells suppressed (with complements), optional DP."""
        self.svc.require("export_aggregates", f"trends:{kind}")
        frame = self.trends()
        frame = frame[frame["kind"] == kind]
        export_id = f"trends-{kind}-{secrets.token_hex(6)}"
        if epsilon is not None:
            # Charge the budget first: a refused export must not have produced noisy counts.
            budget = PrivacyBudget(
                self.svc.settings.data_dir / "privacy-budget.json",
                total_epsilon=self.svc.settings.epsilon_budget,
            )
            budget.spend(export_id, epsilon, f"trends of {kind} by {', '.join(dims)}")
            frame = dp_counts(frame, list(dims), "count", epsilon)
        table = suppress(frame, list(dims), "count", k=k)
        self.svc.audit(
            "export",
            export_id,
            {"k": k, "epsilon": epsilon, "suppressed": table.primary + table.complementary},
        )
        return table
