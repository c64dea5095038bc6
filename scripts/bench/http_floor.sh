#!/usr/bin/env bash
# How close aw-server's sequential request rate is to what its HTTP stack allows: wrk on one
# connection (each request sent as soon as the last is answered, 10 s each) sends GET /api/0/info
# and heartbeats (scripts/bench/heartbeat.lua) to the reference Python aw-server 0.12.0
# (.venv-bench), to aw-server (release build) and to bare-http (scripts/bench/http-floor: SwiftNIO
# alone answering every request as soon as its body has arrived, without reading it), in turns,
# each started afresh every round. Prints the median requests/s of each and its ratio to the
# reference's heartbeats: bare-http's heartbeat ratio is the most any server on this stack could
# reach in that comparison.
#
# Usage: scripts/bench/http_floor.sh [ROUNDS]   (default 3; needs wrk; run from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "http_floor.sh: ROUNDS must be a positive number, not '$rounds'" >&2; exit 2; }
command -v wrk >/dev/null || { echo "http_floor.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
source scripts/bench/common.sh
reference_venv
scripts/release-build.sh aw-server >&2
echo "== building bare-http (release)" >&2
swift build -c release --package-path scripts/bench/http-floor >&2
bare="$(swift build -c release --package-path scripts/bench/http-floor --show-bin-path)/bare-http"

out="$(mktemp -d /tmp/aw-http-floor.XXXXXX)"
trap stop_server EXIT
for round in $(seq "$rounds"); do
  for server in reference aw-server bare-http; do
    port="$(free_port)"
    case $server in
      reference) command=(.venv-bench/bin/aw-server --host 127.0.0.1 --port "$port" --storage peewee) ;;
      aw-server) command=(.build/release/aw-server --testing --no-watchers --port "$port") ;;
      bare-http) command=("$bare" "$port") ;;
    esac
    start_server "$out" "$server-$round" "$port" "${command[@]}"
    for kind in one-info heartbeat; do
      echo "== round $round: $server, $kind" >&2
      wrk_one_connection "$out" "$server-$round" "$port" "$kind"
    done
    stop_server
  done
done

python3 - "$out" "$rounds" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def rate(server, kind):
    runs = []
    for round in range(1, rounds + 1):
        with open(f"{out}/{server}-{round}-wrk-{kind}.txt") as report:
            runs.append(float(re.search(r"Requests/sec:\s+([\d.]+)", report.read()).group(1)))
    return statistics.median(runs), runs
baseline, _ = rate("reference", "heartbeat")
print(f"wrk on one connection, median of {rounds} rounds; ratio = requests/s over the reference's heartbeats/s")
print()
print("| server | request | requests/s (median) | each round | ratio |")
print("| --- | --- | ---: | --- | ---: |")
for server in ("reference", "aw-server", "bare-http"):
    for kind, label in (("one-info", "GET /api/0/info"), ("heartbeat", "POST …/heartbeat")):
        median, runs = rate(server, kind)
        print(f"| {server} | {label} | {median:,.0f} | {', '.join(f'{r:,.0f}' for r in runs)} | {median / baseline:.1f}x |")
PY
echo "(wrk reports in $out)" >&2
