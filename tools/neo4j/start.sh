#!/usr/bin/env bash
# Start a local Neo4j 5.26 community server with the open-source GDS 2.13
# modules, built only from Maven Central jars (see README.md).
#
# Idempotent: exits 0 at once if the server of this home dir is already up.
#
# Environment:
#   NEO4J_HOME_DIR   server home (default: <repo>/.neo4j)
#   NEO4J_BOLT_PORT  Bolt port on 127.0.0.1 (default: 7687)
#   PYTHON           python with the `neo4j` driver, for the readiness poll (default: python3)
#   JAVA             java 17+ binary (default: java)
#   NEO4J_HEAP_MAX   -Xmx value (default: 2g)
#   NEO4J_JAVA_OPTS  extra JVM options appended to the command line
#   NEO4J_START_TIMEOUT  seconds to wait for readiness in total (default: 180)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
NH="${NEO4J_HOME_DIR:-$REPO/.neo4j}"
PORT="${NEO4J_BOLT_PORT:-7687}"
PYTHON="${PYTHON:-python3}"
JAVA="${JAVA:-java}"
TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
PIDFILE="$NH/run/neo4j.pid"
CONSOLE="$NH/logs/console.log"

log() { echo "[neo4j-start] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# Our server process: alive and really a Neo4j entry point (guards against pid reuse).
our_pid() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.neo4j.server.CommunityEntryPoint' || return 1
  echo "$pid"
}

dump_logs() {
  local f
  for f in "$NH/logs/neo4j.log" "$NH/logs/debug.log" "$CONSOLE"; do
    if [[ -s "$f" ]]; then
      echo "----- last 50 lines of $f -----" >&2
      tail -n 50 "$f" >&2
    else
      echo "----- $f: missing or empty -----" >&2
    fi
  done
}

wait_ready() { # $1 = pid, $2 = seconds
  "$PYTHON" "$HERE/wait_ready.py" --uri "bolt://127.0.0.1:$PORT" --timeout "$2" --pid "$1"
}

# ---- 1. already running? -------------------------------------------------------
if pid="$(our_pid)"; then
  if port_open; then
    log "already running (pid $pid, bolt://127.0.0.1:$PORT)"
    exit 0
  fi
  log "pid $pid is alive but port $PORT is not open yet; waiting for it"
  if v="$(wait_ready "$pid" "$TIMEOUT")"; then
    log "ready: GDS $v (pid $pid)"
    exit 0
  fi
  dump_logs
  exit 1
fi
if port_open; then
  log "ERROR: port $PORT is already in use by another process (not the server of $NH)"
  exit 1
fi

command -v "$JAVA" >/dev/null || { log "ERROR: java not found"; exit 1; }
"$PYTHON" -c 'import neo4j' 2>/dev/null || {
  log "ERROR: $PYTHON has no 'neo4j' driver (set PYTHON=.venv/bin/python)"; exit 1; }

# ---- 2. jars (cached: re-resolved only when pom.xml changes) --------------------
mkdir -p "$NH"/{conf,data,logs,run,import}
STAMP="$NH/.jars.sha256"
want="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [[ "$want" != "$have" || ! -d "$NH/lib" || ! -d "$NH/plugins" ]]; then
  log "resolving jars from Maven Central into $NH/{lib,plugins} (first time: a few minutes)"
  rm -rf "$NH/lib.tmp" "$NH/plugins.tmp"
  MVNLOG="$NH/logs/mvn.log"
  : >"$MVNLOG"
  # Neo4j + every third-party jar -> lib/ ; only org.neo4j.gds jars -> plugins/
  if ! { mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
           -DincludeScope=runtime -DexcludeGroupIds=org.neo4j.gds \
           -DoutputDirectory="$NH/lib.tmp" &&
         mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
           -DincludeScope=runtime -DincludeGroupIds=org.neo4j.gds \
           -DoutputDirectory="$NH/plugins.tmp"; } >>"$MVNLOG" 2>&1; then
    log "ERROR: maven could not resolve the jars; last lines of $MVNLOG:"
    tail -n 50 "$MVNLOG" >&2
    exit 1
  fi
  ls "$NH/lib.tmp"/neo4j-5.26.*.jar >/dev/null
  ls "$NH/plugins.tmp"/opengds-extension-*.jar >/dev/null
  rm -rf "$NH/lib" "$NH/plugins"
  mv "$NH/lib.tmp" "$NH/lib"
  mv "$NH/plugins.tmp" "$NH/plugins"
  echo "$want" >"$STAMP"
fi

# ---- 3. config -----------------------------------------------------------------
sed "s/^server\.bolt\.listen_address=.*/server.bolt.listen_address=127.0.0.1:$PORT/" \
    "$HERE/neo4j.conf" >"$NH/conf/neo4j.conf"

# ---- 4. launch -----------------------------------------------------------------
# Flags of the stock neo4j.conf `server.jvm.additional` (only the bootloader reads those).
# Initial heap = maximum heap (Neo4j's advice): a heap that starts at 512m and grows under an
# ingest adds full resizing collections; young collections of 0.2-1.9 s were seen with 512m.
JOPTS=(
  "-Xms${NEO4J_HEAP_MAX:-2g}" "-Xmx${NEO4J_HEAP_MAX:-2g}"
  -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+ExitOnOutOfMemoryError
  -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
  -Djdk.nio.maxCachedBufferSize=1024
  -Dlog4j2.disable.jmx=true
  -Djol.skipHotspotSAAttach=true
  -Dfile.encoding=UTF-8
)
# shellcheck disable=SC2206
if [[ -n "${NEO4J_JAVA_OPTS:-}" ]]; then JOPTS+=(${NEO4J_JAVA_OPTS}); fi

log "starting Neo4j (home $NH, bolt://127.0.0.1:$PORT)"
t0=$SECONDS
# Keep the previous run's logs as *.prev so that a failure dump shows only this run.
for f in neo4j.log debug.log console.log; do
  if [[ -f "$NH/logs/$f" ]]; then mv -f "$NH/logs/$f" "$NH/logs/$f.prev"; fi
done
# setsid: own session, so a Ctrl-C / SIGHUP aimed at the caller does not hit the server.
# (A background job of a non-interactive shell is no group leader, so setsid execs
#  java in place and $! is the java pid.)
nohup setsid "$JAVA" "${JOPTS[@]}" -cp "$NH/lib/*:$NH/plugins/*" \
  org.neo4j.server.CommunityEntryPoint --home-dir="$NH" --config-dir="$NH/conf" \
  >"$CONSOLE" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PIDFILE"

fail() {
  log "ERROR: $*"
  dump_logs
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping the half-started server (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  exit 1
}

# Port first (cheap), then the real GDS readiness query.
until port_open; do
  kill -0 "$pid" 2>/dev/null || fail "server process exited"
  (( SECONDS - t0 < TIMEOUT )) || fail "port $PORT not open after ${TIMEOUT}s"
  sleep 1
done
log "bolt port open after $((SECONDS - t0))s; waiting for gds.version()"
left=$(( TIMEOUT - (SECONDS - t0) )); (( left > 10 )) || left=10
v="$(wait_ready "$pid" "$left")" || fail "GDS not ready"
log "ready after $((SECONDS - t0))s: Neo4j + GDS $v (pid $pid)"
