"""``netzicht psi``: private set intersection between two parties, one file at a time.

Requester::

    netzicht psi request --ids our_numbers.txt --state case42.state --out case42.request
    # send case42.request; keep case42.state (mode 0600, holds the key and your identifiers)

Responder::

    netzicht psi respond --request case42.request --ids their_numbers.txt --out case42.response

Requester::

    netzicht psi finish --state case42.state --response case42.response [--json]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from netzicht.errors import NetzichtError
from netzicht.privacy import psi

psi_app = typer.Typer(
    help="Private set intersection: hit/no-hit checks on identifier lists without sharing them.",
    no_args_is_help=True,
)


def _fail(exc: NetzichtError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


@psi_app.command("request")
def request_cmd(
    ids: Annotated[Path, typer.Option("--ids", help="Your identifiers, one per line.")],
    state: Annotated[Path, typer.Option("--state", help="Where to keep your private state.")],
    out: Annotated[Path, typer.Option("--out", help="Request file to send to the responder.")],
    count_only: Annotated[
        bool, typer.Option("--count-only", help="Learn only how many match, not which.")
    ] = False,
) -> None:
    """Make a request from your identifiers (step 1 of 3)."""
    try:
        info = psi.request_files(ids, state, out, reveal_intersection=not count_only)
    except NetzichtError as exc:
        raise _fail(exc) from None
    typer.echo(
        f"request for {info.elements} identifiers ({info.mode} mode) written to {out}; "
        f"keep {state} private"
    )


@psi_app.command("respond")
def respond_cmd(
    request: Annotated[Path, typer.Option("--request", help="Request file received.")],
    ids: Annotated[Path, typer.Option("--ids", help="Your identifiers, one per line.")],
    out: Annotated[Path, typer.Option("--out", help="Response file to send back.")],
    max_request_size: Annotated[
        int, typer.Option("--max-request-size", help="Refuse larger requests (guessing attacks).")
    ] = psi.DEFAULT_MAX_REQUEST_SIZE,
    refuse_reveal: Annotated[
        bool, typer.Option("--refuse-reveal", help="Answer count-only requests only.")
    ] = False,
) -> None:
    """Answer a request with your identifiers (step 2 of 3)."""
    try:
        info = psi.respond_files(
            request, ids, out, max_request_size=max_request_size, allow_reveal=not refuse_reveal
        )
    except NetzichtError as exc:
        raise _fail(exc) from None
    typer.echo(f"response to a request of {info.elements} identifiers written to {out}")


@psi_app.command("finish")
def finish_cmd(
    state: Annotated[Path, typer.Option("--state", help="Your private state from `request`.")],
    response: Annotated[Path, typer.Option("--response", help="Response file received.")],
    count_only: Annotated[
        bool, typer.Option("--count-only", help="Show only how many match.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compute which of your identifiers the other side holds (step 3 of 3)."""
    try:
        result = psi.finish_files(state, response, count_only=count_only)
    except NetzichtError as exc:
        raise _fail(exc) from None
    if as_json:
        payload: dict[str, object] = {"count": result.count}
        if result.matches is not None:
            payload["matches"] = result.matches
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    noun = "identifier" if result.count == 1 else "identifiers"
    typer.echo(f"{result.count} of your {noun} also held by the other party")
    for match in result.matches or []:
        typer.echo(f"  {match}")
