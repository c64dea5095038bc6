#!/usr/bin/env bash
# Every performance figure the README and docs/performance.md quote, from one run on this
# machine: aw-server-swift (release build) and the reference Python aw-server 0.12.0 (from PyPI,
# pinned in scripts/bench/requirements-reference.txt, installed in .venv-bench) under the same
# REST workload (scripts/bench/rest_bench.py), one after the other, with their ratios; both again
# under GET /api/0/info, heartbeats and bulk inserts sent back to back by wrk on one connection
# (with their CPU time per request), and reading the recent end of a 1M-event bucket
# (scripts/bench/recent_reads.py); this server's ceiling with wrk
# (keep-alive connections); bulk inserts timed inside the server, and heartbeats through the
# in-process client against a C plugin's calls through the plugin ABI and HTTP
# (aw-client-bench); and the window and AFK watchers (the desktop plugin) over a scripted desktop
# session on X11 and on Wayland (scripts/bench/watchers.py, needs Xvfb, sway and KWin). The
# machines are shared: compare ratios, not times.
#
# Usage: scripts/bench.sh [--quick] [--no-watchers]
#   --quick        a tenth of the REST work and a 2-minute watcher session, to try it out
#   --no-watchers  skip the desktop sessions (no Xvfb or sway needed)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=() watchers=1 session=300 recent=1000000
for argument in "$@"; do
  case "$argument" in
    --quick) quick=(--quick); session=200; recent=100000 ;;
    --no-watchers) watchers=0 ;;
    *) echo "scripts/bench.sh: unknown argument '$argument' (--quick, --no-watchers)" >&2; exit 2 ;;
  esac
done
out="$(mktemp -d /tmp/aw-bench.XXXXXX)"
scripts/install-deps.sh bench

echo "== building aw-server, its desktop plugin and aw-client-bench (release)" >&2
scripts/release-build.sh aw-server aw-plugin-desktop aw-client-bench

source scripts/bench/common.sh
reference_venv
trap stop_server EXIT

echo "== the REST workload against the reference Python aw-server" >&2
port=$(free_port)
start_server "$out" reference "$port" .venv-bench/bin/aw-server --host 127.0.0.1 --port "$port" --storage peewee
python3 scripts/bench/rest_bench.py --url "http://127.0.0.1:$port" --pid "$SERVER_PID" "${quick[@]}" \
  --out "$out/reference.json" >/dev/null
back_to_back "$out" reference "$port"
stop_server
echo "== recent reads of a ${recent}-event bucket: the reference Python aw-server" >&2
port=$(free_port)
start_server "$out" reference-recent "$port" .venv-bench/bin/aw-server --host 127.0.0.1 --port "$port" --storage peewee
python3 scripts/bench/recent_reads.py --url "http://127.0.0.1:$port" --events "$recent" --out "$out/reference-recent.json" >/dev/null
stop_server

echo "== the REST workload against aw-server-swift" >&2
port=$(free_port)
start_server "$out" swift "$port" .build/release/aw-server --testing --no-watchers --port "$port"
python3 scripts/bench/rest_bench.py --url "http://127.0.0.1:$port" --pid "$SERVER_PID" "${quick[@]}" \
  --out "$out/swift.json" >/dev/null
back_to_back "$out" swift "$port"
echo "== aw-server-swift's ceiling with wrk (2 threads, 16 keep-alive connections, 10 s each)" >&2
for thread in 1 2; do
  curl -fsS -X POST "http://127.0.0.1:$port/api/0/buckets/bench-wrk-$thread" -H 'Content-Type: application/json' \
    -d '{"client":"wrk","type":"currentwindow","hostname":"bench"}' >/dev/null
done
wrk -t2 -c16 -d10s "http://127.0.0.1:$port/api/0/info" >"$out/wrk-info.txt"
wrk -t2 -c16 -d10s -s scripts/bench/heartbeat.lua "http://127.0.0.1:$port" -- bench-wrk >"$out/wrk-heartbeat.txt"
stop_server
echo "== recent reads of a ${recent}-event bucket: aw-server-swift" >&2
port=$(free_port)
start_server "$out" swift-recent "$port" .build/release/aw-server --testing --no-watchers --port "$port"
python3 scripts/bench/recent_reads.py --url "http://127.0.0.1:$port" --events "$recent" --out "$out/swift-recent.json" >/dev/null
stop_server

echo
echo "## REST, side by side (scripts/bench/rest_bench.py${quick:+ --quick})"
echo
python3 scripts/bench/compare.py "$out"
echo
echo "## Heartbeats through the in-process client, the plugin C ABI and HTTP (aw-client-bench)"
echo
cc -shared -fPIC -O2 -pthread -I Sources/CAWPlugin/include -o "$out/libaw-bench-heartbeats.so" \
  Benchmarks/ClientBench/heartbeat-plugin.c
.build/release/aw-client-bench 200000 20000 "$out/libaw-bench-heartbeats.so"
if [[ $watchers -eq 1 ]]; then
  echo
  echo "## The window and AFK watchers over a ${session}-second scripted session on X11, sway and KWin (scripts/bench/watchers.py)"
  echo
  python3 scripts/bench/watchers.py --duration "$session" --afk-timeout 60
fi
echo
echo "(raw results in $out)"
