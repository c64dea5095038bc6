#!/usr/bin/env bash
# Side-by-side benchmark: aw-server-swift (release build) and the reference Python aw-server,
# in the same run, with the shared bench.py; then the server's own ceiling with wrk.
#
# Usage: scripts/bench.sh [PEER_DIR]   (PEER_DIR holds bench.py, setup-peer.sh, run-peer.sh;
#                                       default ../shared/peer)
# Environment: BENCH_ARGS overrides bench.py's workload arguments; PHASES its phases.
set -euo pipefail
cd "$(dirname "$0")/.."
PEER_DIR="$(cd "${1:-../shared/peer}" && pwd)"
PHASES="${PHASES:-iabcde}"
BENCH_ARGS=${BENCH_ARGS:-"-n 10000 -k 10 --events 100000 --batch 1000 --reps 3 --threads 4 --conc-heartbeats 2500"}
OUT="$(mktemp -d /tmp/aw-bench.XXXXXX)"
scripts/install-deps.sh build
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || true; }

echo "== building aw-server (release)" >&2
swift build -c release --product aw-server >&2

VENV="${AW_PEER_VENV:-$HOME/.cache/aw-peer-venv}"
[[ -x "$VENV/bin/aw-server" ]] || "$PEER_DIR/setup-peer.sh" >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() { [[ -n "${SWIFT_PID:-}" ]] && kill "$SWIFT_PID" 2>/dev/null; [[ -n "${PEER_PID:-}" ]] && kill "$PEER_PID" 2>/dev/null; true; }
trap cleanup EXIT

echo "== reference Python aw-server" >&2
PEER_PORT=$(free_port)
eval "$("$PEER_DIR/run-peer.sh" "$PEER_PORT" | sed 's/ /; /g')"
PEER_PID=$PID
python3 "$PEER_DIR/bench.py" --url "http://127.0.0.1:$PEER_PORT" $BENCH_ARGS --phases "$PHASES" --pid "$PEER_PID" --out "$OUT/reference.json" >/dev/null
kill "$PEER_PID"; PEER_PID=

echo "== aw-server-swift" >&2
SWIFT_PORT=$(free_port)
mkdir -p "$OUT/home"
HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/home/config" XDG_DATA_HOME="$OUT/home/data" XDG_CACHE_HOME="$OUT/home/cache" \
  .build/release/aw-server --testing --port "$SWIFT_PORT" >"$OUT/swift.log" 2>&1 &
SWIFT_PID=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$SWIFT_PORT/api/0/info" >/dev/null 2>&1 && break; sleep 0.1; done
python3 "$PEER_DIR/bench.py" --url "http://127.0.0.1:$SWIFT_PORT" $BENCH_ARGS --phases "$PHASES" --pid "$SWIFT_PID" --out "$OUT/swift.json" >/dev/null

if command -v wrk >/dev/null; then
  echo "== aw-server-swift ceiling (wrk, 2 threads, 16 keep-alive connections, 10 s each)" >&2
  curl -fsS -X POST "http://127.0.0.1:$SWIFT_PORT/api/0/buckets/bench-wrk" -H 'Content-Type: application/json' \
    -d '{"client":"wrk","type":"currentwindow","hostname":"bench"}' >/dev/null || true
  wrk -t2 -c16 -d10s "http://127.0.0.1:$SWIFT_PORT/api/0/info" >"$OUT/wrk-info.txt"
  wrk -t2 -c16 -d10s -s scripts/bench/heartbeat.lua "http://127.0.0.1:$SWIFT_PORT" -- bench-wrk >"$OUT/wrk-heartbeat.txt"
fi
python3 scripts/bench/compare.py "$OUT"
echo "(raw results in $OUT)" >&2
