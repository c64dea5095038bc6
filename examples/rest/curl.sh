#!/usr/bin/env bash
# The REST API with nothing but curl: record a heartbeat into a bucket of your own, read it back,
# and ask a query. Usage: examples/rest/curl.sh [http://127.0.0.1:5600]
set -euo pipefail
url="${1:-${AW_URL:-http://127.0.0.1:5600}}"
bucket="example-curl_$(hostname)"
json=(-H "Content-Type: application/json")

echo "== server"
curl -fsS "$url/api/0/info"; echo

echo "== create bucket $bucket (an existing one is fine: 304)"
curl -sS -o /dev/null -w "HTTP %{http_code}\n" "${json[@]}" -X POST "$url/api/0/buckets/$bucket" \
  -d "{\"client\": \"example-curl\", \"type\": \"example\", \"hostname\": \"$(hostname)\"}"

echo "== two heartbeats 5 s apart with the same data: one event of 5 s"
t0=$(date -u -d '5 seconds ago' +%Y-%m-%dT%H:%M:%SZ)
t1=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for t in "$t0" "$t1"; do
  curl -fsS "${json[@]}" -X POST "$url/api/0/buckets/$bucket/heartbeat?pulsetime=10" \
    -d "{\"timestamp\": \"$t\", \"duration\": 0, \"data\": {\"label\": \"reading\"}}" >/dev/null
done

echo "== the newest event"
curl -fsS "$url/api/0/buckets/$bucket/events?limit=1"; echo

echo "== query: time per label over the last hour"
start=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '1 minute' +%Y-%m-%dT%H:%M:%SZ)
curl -fsS "${json[@]}" -X POST "$url/api/0/query/" -d @- <<JSON; echo
{"timeperiods": ["$start/$end"],
 "query": ["events = query_bucket(\"$bucket\");",
           "RETURN = sort_by_duration(merge_events_by_keys(events, [\"label\"]));"]}
JSON
