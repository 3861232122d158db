"""The `netzicht` command line: thin — it parses, calls the service layer, prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from netzicht.cli_common import (
    JsonOption,
    StoreOption,
    console,
    handles_errors,
    out,
    print_json,
    service,
)

app = typer.Typer(
    name="netzicht",
    help="Criminal-network analytics for human-trafficking investigations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
@handles_errors
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the agency exports.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
    scale: Annotated[int, typer.Option(help="Approximate number of people to generate.")] = 3000,
    malformed: Annotated[float, typer.Option(help="Share of deliberately malformed rows.")] = 0.01,
    ad_site: Annotated[
        Path | None,
        typer.Option(
            help="Also write a static fixture ad site of the synthetic ads to this folder."
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Generate realistic, dirty synthetic agency exports with ground truth."""
    from ingest.synth import SynthConfig, generate

    result = generate(SynthConfig(seed=seed, scale=scale, malformed_share=malformed), out_dir)
    if ad_site is not None:
        from ingest.synth.adsite import build_ad_site

        build_ad_site(out_dir / "ads" / "ads.jsonl", ad_site, seed)
        result["ad_site"] = str(ad_site)
    if json_output:
        print_json(result)
    else:
        out.print(
            f"wrote {result['rows']:,} rows for {result['people']:,} people in "
            f"{len(result['exports'])} exports to {out_dir} (ground truth: {result['truth']})"
        )


@app.command()
@handles_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files (CSV, JSON Lines, XLSX).")],
    source: Annotated[str, typer.Option(help="Name of the source; ids are local to it.")],
    mapping: Annotated[
        str | None,
        typer.Option(help="Mapping name or YAML file (default: the source's, else generic)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Processes that map large files (default: one per core, up to 4)."
        ),
    ] = None,
    store: StoreOption = None,
    json_output: JsonOption = False,
) -> None:
    """Ingest agency exports; bad rows go to quarantine with their reason."""
    with service(store) as svc, _progress(json_output) as progress:
        task = progress.add_task("ingest", total=None)

        def report(name: str, rows: int) -> None:
            progress.update(task, description=f"{name}: {rows:,} rows")

        summary = svc.ingest(paths, source, mapping, progress=report, workers=workers)
    document = summary.as_dict()
    if json_output:
        print_json(document)
        return
    table = Table(title=f"ingest {summary.run_id} ({summary.source}, mapping {summary.mapping})")
    for column in ("file", "kind", "read", "ingested", "quarantined", "quarantine file"):
        table.add_column(column)
    for f in summary.files:
        table.add_row(
            f.path,
            f.kind,
            f"{f.rows_read:,}",
            f"{f.rows_ingested:,}",
            f"{f.rows_quarantined:,}",
            f.quarantine_file or "",
        )
    out.print(table)


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    )


@app.command()
@handles_errors
def stats(store: StoreOption = None, json_output: JsonOption = False) -> None:
    """Count nodes per label and edges per relationship type."""
    with service(store) as svc:
        result = svc.stats()
    if json_output:
        print_json({"nodes": result.nodes, "edges": result.edges})
        return
    table = Table(title="store contents")
    table.add_column("kind")
    table.add_column("name")
    table.add_column("count", justify="right")
    for label, count in result.nodes.items():
        table.add_row("node", label, f"{count:,}")
    for rel, count in result.edges.items():
        table.add_row("edge", rel, f"{count:,}")
    out.print(table)


def _register_optional_commands() -> None:
    """Command groups that live in their own modules."""
    from netzicht import cli_ads, cli_analytics, cli_dashboard, cli_demo, cli_privacy

    cli_analytics.register(app)
    cli_ads.register(app)
    cli_demo.register(app)
    cli_dashboard.register(app)
    cli_privacy.register(app)
    try:
        from netzicht.privacy.cli import psi_app
    except ImportError:  # pragma: no cover - the privacy package is part of the install
        return
    app.add_typer(
        psi_app, name="psi", help="Hit/no-hit between agencies (private set intersection)."
    )


_register_optional_commands()


def main() -> None:
    app()
