"""`netzicht erase`, `netzicht retention apply` and `netzicht audit verify`.

Thin: parse, call `netzicht.retention` (which checks the role and writes the audit entry), print.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from netzicht import retention
from netzicht.access import Identity, refusal
from netzicht.cli_common import (
    JsonOption,
    StoreOption,
    console,
    fail,
    handles_errors,
    out,
    print_json,
    service,
)
from netzicht.errors import InputFileError
from netzicht.privacy.audit import AuditLog
from netzicht.settings import get_settings

retention_app = typer.Typer(
    help="Retention periods declared per source mapping.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)

_WAL_BUSY = (
    "the data is deleted, but another connection (the dashboard?) is reading the store, so its "
    "write-ahead log could not be truncated and may still hold old pages; close it and run the "
    "command again"
)


@handles_errors
def erase(
    uid: Annotated[str, typer.Option("--uid", help="Uid of the person to erase.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: erasure cannot be undone.")] = False,
    purpose: Annotated[
        str, typer.Option(help="Why (recorded in the audit log, e.g. a request number).")
    ] = retention.DEFAULT_ERASURE_PURPOSE,
    store: StoreOption = None,
    json_output: JsonOption = False,
) -> None:
    """Erase a person and everything derived from them (edges, scores, results, quarantine)."""
    if not yes:
        raise fail(
            f"erasing {uid} cannot be undone: it removes the person, their edges, scores, "
            "network memberships and quarantined rows; add --yes to confirm"
        )
    with service(store) as svc:
        report = retention.erase(svc, uid, purpose)
    if json_output:
        print_json(report.as_dict())
    elif not report.found:
        out.print(
            f"no node {uid} in the store: nothing to erase "
            f"({report.results_scrubbed} result documents scrubbed; audit reference "
            f"{report.reference})",
            highlight=False,
        )
    else:
        out.print(
            f"erased {uid}: {report.nodes} nodes ({report.artefact_nodes} artefacts), "
            f"{report.edges} edges, {report.observations} observations, {report.provenance} "
            f"provenance rows, {report.results_scrubbed} result documents, "
            f"{report.quarantine_rows + report.quarantine_lines} quarantined rows "
            f"({report.files_rewritten} files rewritten); audit reference {report.reference}",
            highlight=False,
        )
    if not report.wal_truncated:
        raise fail(_WAL_BUSY, code=1)


@retention_app.command("apply")
@handles_errors
def retention_apply(
    today: Annotated[
        str | None,
        typer.Option(help="Apply as of this date (YYYY-MM-DD); default: today."),
    ] = None,
    store: StoreOption = None,
    json_output: JsonOption = False,
) -> None:
    """Purge what is older than each source's retention period (from its mapping)."""
    try:
        as_of = dt.date.fromisoformat(today) if today is not None else None
    except ValueError:
        raise InputFileError(f"--today {today!r}: not a date (use YYYY-MM-DD)") from None
    with service(store) as svc:
        report = retention.apply(svc, as_of)
    if json_output:
        print_json(report.as_dict())
    else:
        table = Table(title=f"retention as of {report.today}")
        for column in ("source", "days", "cutoff", "provenance", "obs", "nodes", "edges", "quar."):
            table.add_column(column, justify="left" if column == "source" else "right")
        for source, r in report.sources.items():
            table.add_row(
                source,
                str(r.retention_days),
                r.cutoff,
                f"{r.provenance:,}",
                f"{r.observations:,}",
                f"{r.nodes:,}",
                f"{r.edges:,}",
                f"{r.quarantine_rows:,}",
            )
        out.print(table)
        for source, why in report.skipped.items():
            console.print(f"[yellow]warning:[/] source {source} kept as is: {why}", highlight=False)
    if not report.wal_truncated:
        raise fail(_WAL_BUSY, code=1)


@audit_app.command("verify")
@handles_errors
def audit_verify(json_output: JsonOption = False) -> None:
    """Check every hash, the sequence and the head file of the audit log; exit 1 if damaged."""
    settings = get_settings()
    log = AuditLog(settings.data_dir / "audit.jsonl")
    identity = Identity(settings.user, settings.role)
    if not identity.may("audit_read"):
        log.append(
            actor=identity.user,
            role=identity.role,
            action="refused",
            target="audit",
            purpose=settings.purpose,
            details={"wanted": "audit_read"},
        )
        raise refusal(identity, "audit_read", "the audit log")
    result = log.verify()
    if json_output:
        print_json(result.model_dump())
    elif result.ok:
        out.print(f"audit log {log.path}: {result.entries} entries, chain intact", highlight=False)
    else:
        out.print(f"audit log {log.path}: DAMAGED", highlight=False)
        for problem in result.problems:
            out.print(f"  {problem}", highlight=False)
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("erase")(erase)
    app.add_typer(retention_app, name="retention")
    app.add_typer(audit_app, name="audit")
    app.add_typer(share_app, name="share")


share_app = typer.Typer(help="Share aggregates with partner agencies (small cells suppressed).")


@share_app.command("trends")
@handles_errors
def share_trends(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    k: Annotated[int, typer.Option("--k", help="Suppress cells below this count.")] = 10,
    epsilon: Annotated[
        float | None, typer.Option(help="Add differential-privacy noise with this epsilon.")
    ] = None,
    store: StoreOption = None,
    json_output: JsonOption = False,
) -> None:
    """Trend tables (cases, signals, victims by region, month, phenomenon), safe to share."""
    frames = []
    summary: dict[str, object] = {"out": str(out_file), "k": k, "epsilon": epsilon, "tables": {}}
    with service(store) as svc:
        kinds = ("case", "signal", "victim")
        # Sequential composition: the three tables together spend exactly --epsilon.
        share = None if epsilon is None else epsilon / len(kinds)
        for kind in kinds:
            table = svc.insight.safe_trends(kind, k=k, epsilon=share)
            frame = table.table.copy()
            frame.insert(0, "kind", kind)
            frames.append(frame)
            summary["tables"][kind] = {  # type: ignore[index]
                "cells": len(frame),
                "primary": table.primary,
                "complementary": table.complementary,
            }
    out_file.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(frames).to_csv(out_file, index=False)
    if json_output:
        print_json(summary)
    else:
        out.print(f"wrote {out_file}: small cells (< {k}) suppressed with complements")
