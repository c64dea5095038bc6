#!/usr/bin/env bash
# Where a request's CPU time goes in aw-server: a release build serving on loopback, wrk sending
# GET /api/0/info (a request that does nothing) and then heartbeats (heartbeat.lua) back to back
# on one connection, each for 10 s with `perf record` sampling the server (common.sh's
# wrk_one_connection). Prints per request kind the rate, the server's CPU time and voluntary
# context switches per request, and its samples' shares: the kernel (sockets, epoll, waking
# threads), SwiftNIO and Hummingbird (HTTP parsing, channels, writing), the Swift runtime
# (reference counting, tasks), the C library, this server's own code (AWServer, AWCore,
# AWDatastore) and the rest (the Swift standard library, Foundation).
#
# Usage: scripts/bench/http_profile.sh   (needs perf and wrk; run from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
for tool in perf wrk; do
  command -v "$tool" >/dev/null || { echo "http_profile.sh: needs $tool (apt-get install linux-perf wrk)" >&2; exit 1; }
done
scripts/release-build.sh aw-server >&2
out="$(mktemp -d /tmp/aw-http-profile.XXXXXX)"
port="$(free_port)"
trap stop_server EXIT
start_server "$out" swift "$port" .build/release/aw-server --testing --no-watchers --port "$port"

# The voluntary context switches of all the server's threads so far.
context_switches() { cat "/proc/$SERVER_PID/task/"*/status | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n }'; }

echo "| request | requests/s | server CPU per request | context switches per request | kernel | NIO + Hummingbird | Swift runtime | C library | aw-server's code | other |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for kind in one-info heartbeat; do
  perf record -q -F 2000 -g -p "$SERVER_PID" -o "$out/$kind.perf" -- sleep 10 2>/dev/null &
  perf_pid=$!
  switches=$(context_switches)
  wrk_one_connection "$out" swift "$port" "$kind"
  switches=$(( $(context_switches) - switches ))
  wait "$perf_pid"
  report="$out/swift-wrk-$kind.txt"
  requests=$(grep -oE '[0-9]+ requests in' "$report" | cut -d' ' -f1)
  rate=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$report")
  per_request=$(awk -v t="$(cat "$out/swift-wrk-$kind.cpu")" -v s="$switches" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.0f µs | %.2f", t / hz / n * 1e6, s / n }')
  shares=$(perf report -i "$out/$kind.perf" --no-children --sort dso,sym -g none 2>/dev/null | awk '
    /^#/ || NF == 0 { next }
    { share = $1; sub("%", "", share)
      if ($0 ~ /\[kernel/) kernel += share
      else if ($0 ~ /8AWServer|6AWCore|11AWDatastore/) own += share
      else if ($0 ~ /NIO|llhttp|Hummingbird|HTTPTypes/) nio += share
      else if ($0 ~ /swift_|swift::/) runtime += share
      else if ($0 ~ /libc\.so/) libc += share
      else other += share }
    END { printf "%.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%%", kernel, nio, runtime, libc, own, other }')
  label="GET /api/0/info"
  [[ $kind == heartbeat ]] && label="POST …/heartbeat"
  echo "| $label | $rate | $per_request | $shares |"
done
