"""A real `netzicht dashboard` process and Debian's chromium driven by Playwright.

Browser downloads by test tools do not work here (and must not be needed on air-gapped police
networks), so Playwright is pointed at /usr/bin/chromium, which `make test` installs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = "Debian's chromium is not installed (make test installs it: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_dashboard(store: str, data_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "NETZICHT_STORE": store,
        "NETZICHT_DATA_DIR": str(data_dir),
        "NETZICHT_ROLE": "admin",
    }
    env.pop("NETZICHT_USERS_FILE", None)
    log = open(data_dir / "dashboard.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "netzicht", "dashboard", "--store", store, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass  # not listening yet: keep polling until the deadline
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"dashboard did not start: {(data_dir / 'dashboard.log').read_text()[-2000:]}"
                )
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
