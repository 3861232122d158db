"""CLI for online ads and entity resolution: crawl, ads analyze/clusters/circuits, resolve,
unresolve. Thin: parse, call netzicht.ads_service, print (human or --json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from netzicht.ads_service import AdsService, ResolutionService
from netzicht.cli_common import JsonOption, StoreOption, handles_errors, out, print_json, service

ads_app = typer.Typer(help="Analyse crawled online ads: clusters, circuits, indicators.")


def register(app: typer.Typer) -> None:
    app.command("crawl")(crawl)
    app.add_typer(ads_app, name="ads")
    app.command("resolve")(resolve)
    app.command("unresolve")(unresolve)


@handles_errors
def crawl(
    config: Annotated[Path, typer.Argument(help="Site configuration (YAML).")],
    out_file: Annotated[Path, typer.Option("--out", help="JSON Lines output.")] = Path("ads.jsonl"),
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", help="Fetch at most this many pages.")
    ] = None,
    state: Annotated[Path | None, typer.Option(help="State file (default: next to --out).")] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Also write unchanged ads.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Crawl one ad site politely and incrementally into JSON Lines for `ingest --source ads`."""
    from ingest.crawl import run_crawl

    summary = run_crawl(config, out_file, max_pages, state, all_rows).as_dict()
    if json_output:
        print_json(summary)
        return
    out.print(
        f"{summary['site']}: {summary['pages']} pages, {summary['images']} images in "
        f"{summary['seconds']} s ({summary['pages_per_second']} pages/s); "
        f"{summary['new']} new, {summary['changed']} changed, {summary['unchanged']} unchanged, "
        f"{summary['removed']} removed → {summary['out']}"
    )
    for note in summary["notes"]:
        out.print(f"note: {note}")


@ads_app.command("analyze")
@handles_errors
def ads_analyze(
    store: StoreOption = None,
    hypotheses: Annotated[
        bool, typer.Option("--hypotheses", help="Let unvalidated indicators score too.")
    ] = False,
    top: Annotated[int, typer.Option(help="Clusters to show.")] = 10,
    json_output: JsonOption = False,
) -> None:
    """Cluster ads, find circuits, score with evidence-graded indicators; write clusters back."""
    with service(store) as svc:
        document = AdsService.for_service(svc).analyse(include_hypotheses=hypotheses)
    if json_output:
        print_json(document)
        return
    multi = [c for c in document["clusters"] if c["size"] > 1]
    out.print(
        f"{document['ads']:,} ads → {len(document['clusters']):,} clusters "
        f"({len(multi):,} with 2+ ads, written as AdCluster), "
        f"{len(document['circuits']):,} circuits; run {document['run_id']}"
    )
    _print_clusters(document["clusters"][:top])


def _print_clusters(clusters: list[dict]) -> None:  # type: ignore[type-arg]
    table = Table(title="ad clusters, highest score first")
    for column in ("rank", "cluster", "ads", "score", "why"):
        table.add_column(column)
    for c in clusters:
        table.add_row(
            str(c["rank"]), c["label"], str(c["size"]), f"{c['score']:.2f}",
            "\n".join(c["reasons"][:4]),
        )  # fmt: skip
    out.print(table)


@ads_app.command("clusters")
@handles_errors
def ads_clusters(
    store: StoreOption = None,
    top: Annotated[int, typer.Option(help="Clusters to show.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """The ranked ad clusters of the latest analysis, with reasons."""
    with service(store) as svc:
        rows = AdsService.for_service(svc).clusters(limit=top)
    if json_output:
        print_json(rows)
    else:
        _print_clusters(rows)


@ads_app.command("circuits")
@handles_errors
def ads_circuits(
    store: StoreOption = None,
    top: Annotated[int, typer.Option(help="Circuits to show.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """Phones and clusters moving between cities over time (linking evidence, not a score)."""
    with service(store) as svc:
        rows = AdsService.for_service(svc).circuits(limit=top)
    if json_output:
        print_json(rows)
        return
    for c in rows:
        out.print(c["reason"])


@handles_errors
def resolve(
    store: StoreOption = None,
    review: Annotated[
        bool, typer.Option("--review", help="List suggested merges awaiting a decision.")
    ] = False,
    accept: Annotated[
        list[str] | None, typer.Option(help="Accept this suggested merge id (repeatable).")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option(help="Reject this suggested merge id (repeatable).")
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (kept with the decision).")] = "",
    limit: Annotated[int, typer.Option(help="Rows of the review queue to show.")] = 50,
    json_output: JsonOption = False,
) -> None:
    """Resolve person records across sources into persons; --review shows the review queue."""
    with service(store) as svc:
        rs = ResolutionService.for_service(svc)
        if accept or reject:
            if not reason:
                raise typer.BadParameter("--reason is required with --accept/--reject")
            decided = [rs.accept(m, reason) for m in accept or []]
            decided += [rs.reject(m, reason) for m in reject or []]
            if json_output:
                print_json(decided)
            else:
                for m in decided:
                    out.print(f"{m['id']}: {m['status']} ({m['a']} ~ {m['b']})")
            return
        if review:
            queue = rs.review_queue(limit)
            if json_output:
                print_json(queue)
                return
            table = Table(title=f"{len(queue)} suggested merges (highest score first)")
            for column in ("merge", "score", "record a", "record b", "evidence"):
                table.add_column(column)
            for m in queue:
                evidence = ", ".join(
                    f"{k} {v.get('weight', 0):+.1f}" for k, v in m["evidence"].items()
                )
                table.add_row(
                    m["id"], f"{m['score']:.1f}", f"{m['a_name']}\n{m['a']}",
                    f"{m['b_name']}\n{m['b']}", evidence,
                )  # fmt: skip
            out.print(table)
            return
        stats = rs.resolve()
    if json_output:
        print_json(stats)
        return
    out.print(
        f"{stats['records']:,} person records → {stats['clusters']:,} merged persons covering "
        f"{stats['clustered_records']:,} records; merges {stats['merges']}; "
        f"{stats['blocks_skipped']:,} oversized blocks skipped; run {stats['run_id']}"
    )


@handles_errors
def unresolve(
    what: Annotated[str, typer.Argument(help="A merge id (m-…) or a Person record uid.")],
    reason: Annotated[str, typer.Option(help="Why the merge is wrong (kept).")],
    store: StoreOption = None,
    json_output: JsonOption = False,
) -> None:
    """Undo a merge, or every merge of one record; the decision and its reason are kept."""
    with service(store) as svc:
        undone = ResolutionService.for_service(svc).unresolve(what, reason)
    if json_output:
        print_json(undone)
        return
    for m in undone:
        out.print(f"undone {m['id']}: {m['a']} ≁ {m['b']}")
