"""CLI commands of the analytics: analyze, disrupt, leads, report, evaluate (parse, call, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from netzicht.cli_common import JsonOption, StoreOption, handles_errors, out, print_json, service

SinceOption = Annotated[
    str | None, typer.Option("--since", help="First day of the window (ISO date, inclusive).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Last day of the window (ISO date, inclusive).")
]
NetworkOption = Annotated[
    str | None, typer.Option("--network", help="A network id of the latest analysis run.")
]


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def analyze(
        since: SinceOption = None,
        until: UntilOption = None,
        top: Annotated[int, typer.Option(help="How many actors and networks to list.")] = 100,
        resolution: Annotated[
            float, typer.Option(help="Leiden resolution (higher: smaller networks).")
        ] = 1.0,
        seed: Annotated[int | None, typer.Option(help="Seed (default NETZICHT_SEED).")] = None,
        backend: Annotated[
            str,
            typer.Option(
                help="Algorithm backend: auto (GDS on a Neo4j store that has it, else in "
                "process), igraph, or gds."
            ),
        ] = "auto",
        store: StoreOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Find networks and rank key actors by organiser score, with reasons."""
        with service(store) as svc:
            result = svc.insight.run_analysis(
                since=since,
                until=until,
                top=top,
                resolution=resolution,
                seed=seed,
                backend=backend,
            )
        if json_output:
            print_json(result.to_json(top))
            return
        out.print(
            f"run {result.run_id}: {len(result.networks)} networks among {result.people:,} "
            f"people, {result.ties:,} ties (backend {result.backend})"
        )
        table = Table(title=f"networks (top {min(top, len(result.networks))})")
        for column in ("id", "size", "victims", "growth", "key actors"):
            table.add_column(column)
        for net in result.networks[:top]:
            growth = "new" if net.growth is None else f"{net.growth:+d}"
            keys = ", ".join(k.name or k.uid for k in net.key_actors[:3])
            table.add_row(net.id, str(net.size), str(net.victims), growth, keys)
        out.print(table)
        actors = Table(title=f"key actors (top {min(top, len(result.actors))})")
        for column in ("rank", "name", "uid", "network", "score", "reasons"):
            actors.add_column(column)
        for a in result.actors[:top]:
            actors.add_row(
                str(a.rank),
                a.name,
                a.uid,
                a.network or "",
                f"{a.organiser_score:.3f}",
                "; ".join(a.reasons),
            )
        out.print(actors)

    @app.command()
    @handles_errors
    def disrupt(
        strategy: Annotated[
            str,
            typer.Option(
                help="degree, betweenness, pagerank, organiser, collective-influence, set "
                "or greedy."
            ),
        ],
        people: Annotated[
            str | None, typer.Option(help="With --strategy set: UID,UID,... in removal order.")
        ] = None,
        mode: Annotated[str, typer.Option(help="sequential or block.")] = "sequential",
        block_size: Annotated[int, typer.Option(help="People per block (block mode).")] = 5,
        steps: Annotated[int, typer.Option(help="Number of people removed in all.")] = 10,
        weighted: Annotated[
            bool, typer.Option("--weighted", help="Use tie weights (betweenness: as distance).")
        ] = False,
        relation_types: Annotated[
            str | None, typer.Option(help="Only these relationship types: T,T,...")
        ] = None,
        network: NetworkOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        seed: Annotated[int | None, typer.Option(help="Seed (default NETZICHT_SEED).")] = None,
        store: StoreOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """What-if: remove people and follow the largest connected component."""
        with service(store) as svc:
            result = svc.insight.disrupt(
                strategy,
                mode=mode,
                block_size=block_size,
                steps=steps,
                weighted=weighted,
                relation_types=_split(relation_types),
                network=network,
                since=since,
                until=until,
                people=_split(people),
                seed=seed,
            )
        if json_output:
            print_json(result.to_json())
            return
        scope = f"network {network}" if network else "whole graph"
        out.print(
            f"run {result.run_id}: {result.strategy} ({result.mode}) on {scope}, "
            f"{result.people:,} people, initial LCC {result.initial_lcc:,}"
        )
        table = Table()
        for column in (
            "removed",
            "LCC",
            "LCC fraction",
            "components",
            "victims connected",
            "removed now",
        ):
            table.add_column(column)
        for p in result.curve:
            table.add_row(
                str(p.removed),
                str(p.lcc),
                f"{p.lcc_fraction:.3f}",
                str(p.components),
                str(p.victims_connected),
                ", ".join(p.removed_uids),
            )
        out.print(table)

    @app.command()
    @handles_errors
    def leads(
        network: NetworkOption = None,
        top: Annotated[int, typer.Option(help="How many leads to list.")] = 20,
        store: StoreOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Suggest hidden ties (common neighbours, Adamic–Adar, resource allocation)."""
        with service(store) as svc:
            result = svc.insight.leads(network=network, top=top)
        if json_output:
            print_json(result.to_json())
            return
        table = Table(title=f"leads {result.run_id}")
        for column in ("person", "person", "network", "RA", "AA", "CN", "reasons"):
            table.add_column(column)
        for lead in result.leads:
            table.add_row(
                f"{lead.a_name} ({lead.a})",
                f"{lead.b_name} ({lead.b})",
                lead.network or "",
                f"{lead.resource_allocation:.3f}",
                f"{lead.adamic_adar:.3f}",
                str(lead.common_neighbours),
                "; ".join(lead.reasons),
            )
        out.print(table)

    @app.command()
    @handles_errors
    def report(
        out_dir: Annotated[Path, typer.Option("--out", help="Directory for the report.")],
        network: NetworkOption = None,
        store: StoreOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Write a Markdown report per network (figure, key actors, disruption curves)."""
        with service(store) as svc:
            paths = svc.insight.report(out_dir, network=network)
        if json_output:
            print_json({"files": [str(p) for p in paths]})
            return
        out.print(f"wrote {len(paths)} pages to {out_dir} (start at {paths[0]})")

    @app.command()
    @handles_errors
    def evaluate(
        truth: Annotated[Path, typer.Option("--truth", help="truth.json of `netzicht synth`.")],
        run: Annotated[str | None, typer.Option(help="Analysis run id (default latest).")] = None,
        store: StoreOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Score the latest analysis against synthetic ground truth."""
        with service(store) as svc:
            result = svc.analytics.evaluate(truth, run_id=run)
        if json_output:
            print_json(result.to_json())
            return
        table = Table(title=f"evaluation of {result.run_id} against {result.truth}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_column("target")
        table.add_row("adjusted Rand index (network recovery)", f"{result.ari:.3f}", "≥ 0.9")
        table.add_row(
            "organiser in top 3 (networks ≥ 10 members)",
            f"{result.organiser_hits}/{result.organiser_eligible} "
            f"({100 * result.organiser_hit_rate:.1f}%)",
            "≥ 90%",
        )
        table.add_row("victims among any network's top 3", str(result.victims_in_top3), "0")
        table.add_row(
            "records scored (protected records left out)",
            f"{result.records} ({result.records_protected})",
            "",
        )
        table.add_row(
            "ARI with protected records as singletons", f"{result.ari_all_records:.3f}", ""
        )
        out.print(table)
