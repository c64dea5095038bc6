#!/usr/bin/env bash
# A watcher in a few lines of shell: every few seconds it runs a command and sends its output
# to aw-server as a heartbeat, so equal outputs merge into one event.
#
#   examples/rest/command-watcher.sh 'git -C ~/project branch --show-current' git-branch
#
# Usage: command-watcher.sh COMMAND [NAME] [INTERVAL_SECONDS]
set -euo pipefail
command=${1:?usage: command-watcher.sh COMMAND [NAME] [INTERVAL_SECONDS]}
name=${2:-command}
interval=${3:-5}
api=${AW_SERVER:-http://127.0.0.1:5600}/api/0
bucket="aw-watcher-${name}_$(hostname)"

curl -fsS -X POST "$api/buckets/$bucket" -H 'Content-Type: application/json' \
  -d "{\"client\": \"aw-watcher-$name\", \"type\": \"$name\", \"hostname\": \"$(hostname)\"}" -o /dev/null \
  || [[ $? -eq 22 ]]  # 304: the bucket exists already
while true; do
  output=$(bash -c "$command" 2>&1 | head -c 1000 | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')
  curl -fsS -X POST "$api/buckets/$bucket/heartbeat?pulsetime=$((interval + 2))" -H 'Content-Type: application/json' \
    -d "{\"timestamp\": \"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\", \"data\": {\"output\": $output}}" -o /dev/null
  sleep "$interval"
done
