# Shared by scripts/bench.sh and scripts/bench/postgres.sh (source it from the repository root):
# the reference Python aw-server's venv, free ports, and starting a server on a private HOME.

# Makes .venv-bench with the reference Python aw-server (scripts/bench/requirements-reference.txt).
reference_venv() {
  local venv=.venv-bench
  if ! cmp -s scripts/bench/requirements-reference.txt "$venv/.requirements" 2>/dev/null; then
    echo "== the reference Python aw-server in $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/bench/requirements-reference.txt
    cp scripts/bench/requirements-reference.txt "$venv/.requirements"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server OUT NAME PORT COMMAND...: runs COMMAND with HOME and the XDG folders under
# OUT/NAME-home, its output in OUT/NAME.log, until /api/0/info answers on PORT; sets SERVER_PID.
start_server() {
  local out="$1" name="$2" port="$3"; shift 3
  local home="$out/$name-home"
  mkdir -p "$home"
  HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" AW_PROFILE= \
    "$@" >>"$out/$name.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$port/api/0/info" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "$name did not start; see $out/$name.log" >&2
  exit 1
}

stop_server() {
  [[ -n "${SERVER_PID:-}" ]] && { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }
  SERVER_PID=
}

# back_to_back OUT NAME PORT: GET /api/0/info, heartbeats and 1,000-event bulk inserts sent back to
# back by wrk on one connection for 10 s each (a C client whose own time per request is next to
# nothing): wrk_one_connection for each of one-info, heartbeat and bulk.
back_to_back() {
  local kind
  for kind in one-info heartbeat bulk; do wrk_one_connection "$1" "$2" "$3" "$kind"; done
}

# wrk_one_connection OUT NAME PORT KIND: wrk on one connection for 10 s, each request sent as soon
# as the last is answered: KIND one-info is GET /api/0/info, heartbeat or bulk the requests of
# scripts/bench/KIND.lua into a bucket it makes first (seq-KIND-1). wrk's report goes to
# OUT/NAME-wrk-KIND.txt, the server's (SERVER_PID's) CPU time meanwhile, in clock ticks, to
# OUT/NAME-wrk-KIND.cpu.
wrk_one_connection() {
  local out="$1" name="$2" port="$3" kind="$4"
  local target=("http://127.0.0.1:$port/api/0/info")
  if [[ $kind != one-info ]]; then
    curl -fsS -X POST "http://127.0.0.1:$port/api/0/buckets/seq-$kind-1" -H 'Content-Type: application/json' \
      -d '{"client":"wrk","type":"currentwindow","hostname":"bench"}' >/dev/null
    target=(-s "scripts/bench/$kind.lua" "http://127.0.0.1:$port" -- "seq-$kind")
  fi
  local before; before=$(cpu_ticks "$SERVER_PID")
  wrk -t1 -c1 -d10s "${target[@]}" >"$out/$name-wrk-$kind.txt"
  echo $(( $(cpu_ticks "$SERVER_PID") - before )) >"$out/$name-wrk-$kind.cpu"
}

# cpu_ticks PID: the user plus system CPU time of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
