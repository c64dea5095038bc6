#!/usr/bin/env bash
# Contract fuzzing: Schemathesis (from PyPI, in .venv-contract) generates requests from the
# server's own OpenAPI document (/api/0/openapi.json) and sends them to a live aw-server on a
# private database: schema examples, boundary values, random fuzzing and stateful sequences
# (create a bucket, then use it). It fails on any 5xx, any status the document does not list,
# any body or Content-Type that does not match it, and if the server is not alive afterwards.
#
# Usage: Tests/contract/run.sh [path/to/aw-server]
#   AW_CONTRACT_EXAMPLES  test cases per operation and phase (default 25)
#   AW_CONTRACT_SEED      the random seed (default 1, so a run can be repeated; any number explores more)
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="${1:-.build/debug/aw-server}"
examples="${AW_CONTRACT_EXAMPLES:-25}"
seed="${AW_CONTRACT_SEED:-1}"

venv=.venv-contract
if ! cmp -s Tests/contract/requirements.txt "$venv/.requirements" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/contract/requirements.txt
  cp Tests/contract/requirements.txt "$venv/.requirements"
fi

home="$(mktemp -d /tmp/aw-contract.XXXXXX)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" \
  "$binary" --testing --port "$port" --no-watchers --dbpath "$home/contract.db" >"$home/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fs "$url/api/0/info" >/dev/null && break
  sleep 0.1
done

status=0
timeout 600 "$venv/bin/st" run "$url/api/0/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$examples" --seed "$seed" --workers 2 --request-timeout 10 --no-color \
  --report junit --report-junit-path "$home/junit.xml" >"$home/st.log" 2>&1 || status=$?
sed -n '/^ *Test cases:/,/^$/p; /FAILURES/,/SUMMARY/p' "$home/st.log"
if [[ $status -ne 0 ]]; then
  cat "$home/st.log" >&2
  echo "contract fuzzing failed (seed $seed); server log:" >&2
  tail -50 "$home/server.log" >&2
  exit 1
fi
if ! curl -fs "$url/api/0/info" >/dev/null; then
  echo "aw-server did not survive the contract fuzzing" >&2
  tail -50 "$home/server.log" >&2
  exit 1
fi
kill -TERM "$server"
wait "$server" || { echo "aw-server did not stop cleanly after the fuzzing" >&2; exit 1; }
echo "contract fuzzing passed: $(grep -oE '[0-9]+ generated' "$home/st.log" | head -1) test cases over $(grep -c '<testcase' "$home/junit.xml") operations, seed $seed, server alive and stopped cleanly"
