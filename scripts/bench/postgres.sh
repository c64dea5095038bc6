#!/usr/bin/env bash
# aw-server-swift on PostgreSQL next to aw-server-swift on SQLite and the reference Python
# aw-server, in one run (release build, private PostgreSQL cluster, loopback only):
#   1. scripts/bench/rest_bench.py against all three (heartbeats, bulk insert, GET, 1-day and
#      30-day queries, concurrent heartbeats), printed side by side with ratios to the reference
#      (the reference Python aw-server pinned in scripts/bench/requirements-reference.txt);
#   2. 10 million window events (one every 10 s, about 3.2 years) plus AFK events, written
#      straight into each store's tables, then the window+afk query over the last day and the
#      last 30 days through the REST API (scripts/bench/big_query.py).
#
# Usage: scripts/bench/postgres.sh
# Environment: BIG_EVENTS the size of part 2 (default 10,000,000).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
BIG_EVENTS=${BIG_EVENTS:-10000000}
OUT="$(mktemp -d /tmp/aw-bench-postgres.XXXXXX)"
chmod 755 "$OUT"  # the PostgreSQL server runs as its own user and must reach its folder
scripts/install-deps.sh test
echo "== building aw-server (release)" >&2
scripts/release-build.sh aw-server
reference_venv
cleanup() {
  stop_server
  scripts/postgres-cluster.sh stop "$OUT/cluster" 2>/dev/null || true
}
trap cleanup EXIT
PG_URL="$(scripts/postgres-cluster.sh start "$OUT/cluster" "$(free_port)")"
database() { # creates a database, prints its URL
  psql -q -d "$PG_URL" -c "CREATE DATABASE $1"
  echo "${PG_URL/\/postgres\?//$1?}"
}
# Starts aw-server-swift (release) with extra arguments; sets PORT and SERVER_PID.
start_swift() {
  PORT=$(free_port)
  start_server "$OUT" swift "$PORT" .build/release/aw-server --testing --no-watchers --port "$PORT" "$@"
}

echo "== 1. rest_bench.py: reference Python aw-server" >&2
PORT=$(free_port)
start_server "$OUT" reference "$PORT" .venv-bench/bin/aw-server --host 127.0.0.1 --port "$PORT" --storage peewee
python3 scripts/bench/rest_bench.py --url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" --out "$OUT/reference.json" >/dev/null
stop_server
echo "== 1. rest_bench.py: aw-server-swift on SQLite" >&2
start_swift --dbpath "$OUT/bench.db"
python3 scripts/bench/rest_bench.py --url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" --out "$OUT/sqlite.json" >/dev/null
stop_server
echo "== 1. rest_bench.py: aw-server-swift on PostgreSQL" >&2
start_swift --postgres "$(database bench)"
python3 scripts/bench/rest_bench.py --url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" --out "$OUT/postgres.json" >/dev/null
stop_server

# Part 2: the same generated history in both stores. Event i starts at BASE + 10 i s and lasts
# 5 s; the AFK bucket has one not-afk hour followed by one afk hour, over the whole span.
BASE=1600000000
END_ISO=$(python3 -c "from datetime import datetime, timezone; print(datetime.fromtimestamp($BASE + 10 * $BIG_EVENTS, timezone.utc).isoformat())")
HOURS=$(( BIG_EVENTS * 10 / 3600 + 1 ))
create_buckets() {
  for bucket in "big-window currentwindow" "big-afk afkstatus"; do
    set -- $bucket
    curl -fsS -X POST "http://127.0.0.1:$PORT/api/0/buckets/$1" -H 'Content-Type: application/json' \
      -d "{\"client\":\"bench\",\"type\":\"$2\",\"hostname\":\"bench\"}" >/dev/null
  done
}
fill_sql() { # the INSERTs for both buckets, in SQL both stores accept ($1, $2: the rows' numbers; $3: the table)
  cat <<SQL
INSERT INTO $3 (bucketrow, starttime, endtime, id, data)
  SELECT (SELECT id FROM buckets WHERE name = 'big-window'), (CAST($BASE AS BIGINT) + 10 * i) * 1000000000,
         (CAST($BASE AS BIGINT) + 10 * i + 5) * 1000000000, i + 1,
         '{"app":"app' || (i % 40) || '","title":"title ' || (i % 3000) || '"}'
  FROM $1;
INSERT INTO $3 (bucketrow, starttime, endtime, id, data)
  SELECT (SELECT id FROM buckets WHERE name = 'big-afk'), (CAST($BASE AS BIGINT) + 3600 * h) * 1000000000,
         (CAST($BASE AS BIGINT) + 3600 * h + 3600) * 1000000000, $BIG_EVENTS + h + 1,
         CASE WHEN h % 2 = 0 THEN '{"status":"not-afk"}' ELSE '{"status":"afk"}' END
  FROM $2;
UPDATE buckets SET max_duration = 3600000000000;
SQL
}

echo "== 2. $BIG_EVENTS events on PostgreSQL (writing them)" >&2
BIG_URL="$(database big)"
start_swift --postgres "$BIG_URL"
create_buckets
stop_server
{ fill_sql "generate_series(0, $BIG_EVENTS - 1) AS i" "generate_series(0, $HOURS - 1) AS h" events
  echo "SELECT setval('events_id_seq', (SELECT max(id) FROM events)); VACUUM ANALYZE events;"; } | psql -q -d "$BIG_URL"
start_swift --postgres "$BIG_URL"
python3 scripts/bench/big_query.py --url "http://127.0.0.1:$PORT" --window big-window --afk big-afk --end "$END_ISO" >"$OUT/big-postgres.json"
stop_server

echo "== 2. $BIG_EVENTS events on SQLite (writing them)" >&2
start_swift --dbpath "$OUT/big.db"
create_buckets
stop_server
# SQLite keeps each distinct data text once (event_data, its use count in event_data_uses), the
# events naming it by id: the rows are staged with their text, then stored as the server stores them.
{ echo "PRAGMA journal_mode = WAL;"
  echo "CREATE TEMP TABLE staged (bucketrow INTEGER, starttime INTEGER, endtime INTEGER, id INTEGER, data TEXT);"
  fill_sql "(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $BIG_EVENTS - 1) SELECT i FROM n)" \
    "(WITH RECURSIVE m(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM m WHERE h < $HOURS - 1) SELECT h FROM m)" staged
  cat <<'SQL'
INSERT INTO event_data (text) SELECT DISTINCT data FROM staged;
INSERT INTO event_data_uses (id, uses)
  SELECT event_data.id, COUNT(*) FROM staged JOIN event_data ON event_data.text = staged.data GROUP BY event_data.id;
INSERT INTO events (bucketrow, starttime, endtime, id, data_id)
  SELECT bucketrow, starttime, endtime, id, (SELECT id FROM event_data WHERE text = staged.data) FROM staged
  ORDER BY bucketrow, starttime ASC, endtime DESC, id DESC;
SQL
  echo "ANALYZE;"; } | sqlite3 "$OUT/big.db"
start_swift --dbpath "$OUT/big.db"
python3 scripts/bench/big_query.py --url "http://127.0.0.1:$PORT" --window big-window --afk big-afk --end "$END_ISO" >"$OUT/big-sqlite.json"
stop_server

echo
python3 scripts/bench/compare.py "$OUT" "sqlite=aw-server-swift on SQLite" "postgres=aw-server-swift on PostgreSQL"
echo
echo "window+afk query over $BIG_EVENTS window events (p50 of 5, ms):"
python3 - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
print("| period | merged events | SQLite | PostgreSQL |")
print("| --- | ---: | ---: | ---: |")
sqlite, postgres = (json.loads((out / f"big-{n}.json").read_text()) for n in ("sqlite", "postgres"))
for label in ("1d", "30d"):
    assert sqlite[label]["merged_events"] == postgres[label]["merged_events"], "the stores disagree"
    print(f"| last {label} | {postgres[label]['merged_events']} | {sqlite[label]['p50_ms']:,} | {postgres[label]['p50_ms']:,} |")
PY
echo "(raw results in $OUT)" >&2
