"""What every CLI command shares: the --store and --json options, output and error handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from netzicht.errors import NetzichtError
from netzicht.service import Service

console = Console(stderr=True)
out = Console()

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="NETZICHT_STORE",
        help="Store URI: sqlite:///file.db, neo4j://host:7687 or bolt://host:7687.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handles_errors(func: F) -> F:
    """Turn a NetzichtError into one clear line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NetzichtError as exc:
            raise fail(str(exc)) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def service(store: str | None) -> Iterator[Service]:
    svc = Service.open(store)
    try:
        yield svc
    finally:
        svc.close()


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
