#!/usr/bin/env python3
"""Readiness poll for the local Neo4j + GDS server (used by start.sh).

An open Bolt port is not enough: GDS is ready only once `RETURN gds.version()`
answers. Prints the GDS version on success; exits 1 on timeout, 2 if the
`neo4j` driver is missing.

Usage: wait_ready.py [--uri bolt://127.0.0.1:7687] [--timeout 120] [--pid PID]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time


def _alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--uri", default="bolt://127.0.0.1:7687")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--pid", type=int, default=None, help="give up early if this process dies")
    ap.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    args = ap.parse_args()

    try:
        import neo4j
        from neo4j import GraphDatabase
    except ImportError:
        print("wait_ready.py: the python 'neo4j' driver is not installed "
              f"for {sys.executable}; set PYTHON to a python that has it", file=sys.stderr)
        return 2

    logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # no retry chatter on stderr
    deadline = time.monotonic() + args.timeout
    last_err: Exception | None = None
    driver = GraphDatabase.driver(args.uri, auth=None, connection_timeout=5)
    try:
        while time.monotonic() < deadline:
            if not _alive(args.pid):
                print(f"wait_ready.py: server process {args.pid} exited", file=sys.stderr)
                return 1
            try:
                # auto-commit query: no driver-side retry/backoff, so we poll at 1 s steps
                with driver.session(database="neo4j") as session:
                    v = session.run("RETURN gds.version() AS v").single(strict=True)["v"]
                print(v)
                return 0
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
                last_err = e
                time.sleep(1.0)
    finally:
        driver.close()
    print(f"wait_ready.py: not ready after {args.timeout:.0f}s: {last_err!r}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
