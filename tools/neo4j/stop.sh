#!/usr/bin/env bash
# Stop the local Neo4j server started by start.sh: SIGTERM (graceful shutdown),
# wait up to 60 s, then SIGKILL. Exits 0 if it was not running.
# Environment: NEO4J_HOME_DIR (default: <repo>/.neo4j), NEO4J_STOP_TIMEOUT (default 60).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
NH="${NEO4J_HOME_DIR:-$REPO/.neo4j}"
PIDFILE="$NH/run/neo4j.pid"
TIMEOUT="${NEO4J_STOP_TIMEOUT:-60}"

log() { echo "[neo4j-stop] $*" >&2; }

pid="$(cat "$PIDFILE" 2>/dev/null || true)"
if [[ ! "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
  log "not running"
  rm -f "$PIDFILE"
  exit 0
fi
# Guard against a recycled pid: only signal our Neo4j entry point.
if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.neo4j.server.CommunityEntryPoint'; then
  log "pid $pid is not a Neo4j server; removing stale pid file"
  rm -f "$PIDFILE"
  exit 0
fi

log "stopping pid $pid (SIGTERM)"
kill -TERM "$pid" 2>/dev/null || true
t0=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  if (( SECONDS - t0 >= TIMEOUT )); then
    log "still alive after ${TIMEOUT}s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
    break
  fi
  sleep 0.5
done
rm -f "$PIDFILE"
log "stopped after $((SECONDS - t0))s"
