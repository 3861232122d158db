"""`netzicht dashboard`: start the Streamlit app on this machine (offline; no telemetry)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from netzicht.cli_common import StoreOption, handles_errors, out
from netzicht.settings import get_settings

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def dashboard_command(store_uri: str, port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        # Air-gapped networks: no usage statistics, no update checks, nothing loaded from outside.
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        # dashboard/static/ at /app/static: vis-network is loaded once and cached by the browser
        # instead of travelling inside every drawing (~0.7 MB less per network view).
        "--server.enableStaticServing",
        "true",
    ]


def run_dashboard(store_uri: str, port: int, address: str = "127.0.0.1") -> int:
    """Become the Streamlit server (exec), so stopping this process stops the dashboard."""
    env = {**os.environ, "NETZICHT_STORE": store_uri}
    out.print(f"dashboard on http://{address}:{port} (store {store_uri}); Ctrl+C stops it")
    sys.stdout.flush()
    command = dashboard_command(store_uri, port, address)
    os.execvpe(command[0], command, env)
    return 0  # pragma: no cover - exec does not return


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def dashboard(
        store: StoreOption = None,
        port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
        address: Annotated[
            str, typer.Option(help="Address to bind (default: this machine only).")
        ] = "127.0.0.1",
    ) -> None:
        """Open the dashboard for investigators and regional analysts."""
        raise typer.Exit(run_dashboard(store or get_settings().store, port, address))

    app.add_typer(users_app, name="users")


users_app = typer.Typer(help="Local dashboard users (demo; production signs in through OIDC).")


@users_app.command("add")
@handles_errors
def add_user_command(
    user: Annotated[str, typer.Argument(help="User name (or e-mail for OIDC sign-in).")],
    role: Annotated[str, typer.Option(help="investigator, analyst, care_coordinator or admin.")],
    regions: Annotated[str, typer.Option(help="Comma-separated police regions, or *.")] = "*",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    users_file: Annotated[
        Path, typer.Option("--file", envvar="NETZICHT_USERS_FILE", help="The users file.")
    ] = Path("users.yaml"),
) -> None:
    """Add or replace a user in the local users file (passwords stored as PBKDF2 hashes)."""
    from netzicht.users import add_user

    add_user(users_file, user, password, role, [r.strip() for r in regions.split(",")])
    out.print(f"{user} ({role}) written to {users_file}")
