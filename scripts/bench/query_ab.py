#!/usr/bin/env python3
"""Two builds of aw-server on the same big history, compared in turns: the window+afk query over
the last day and the last 30 days (big_query.py's), sent back to back by wrk on one connection,
alternating between the two servers round after round, so that both see the same machine:

    query_ab.py --binary NEW --compare-binary OLD --db FILE [--compare-db OLD_FILE] --window WINDOW_BUCKET
                --afk AFK_BUCKET --end ISO [--rounds 8] [--seconds 3]

Both servers run at once (with --no-watchers), the second on a copy of the database file (a file
is served by one server at a time), made in a temporary folder beside it and removed at the end;
with --compare-db, on a copy of that file instead (the same history as an older build keeps it).
Prints, per period and build, the median over the rounds of wrk's p50, of the server's CPU time
per query and of its page faults per query, and the ratio of the medians (this build over the
other): on a shared machine whose speed varies from minute to minute, the ratio is the figure to
compare."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_query import query_body, wrk_run  # noqa: E402
from local_port import free_port  # noqa: E402


def start_server(binary, database, home):
    """An aw-server serving `database` only, once it answers; with its URL."""
    port = free_port()
    environment = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
                       XDG_CACHE_HOME=f"{home}/cache", AW_PROFILE="")
    log = open(f"{home}/server.log", "w")
    process = subprocess.Popen([binary, "--testing", "--no-watchers", "--port", str(port), "--dbpath", database],
                               env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{url}/api/0/info", timeout=1).read()
            return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{binary} did not start on {database}; see {home}/server.log")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="the build under test")
    parser.add_argument("--compare-binary", required=True, help="the build to compare with")
    parser.add_argument("--db", required=True, help="an SQLite database with the big history")
    parser.add_argument("--compare-db", help="the same history in the other build's layout (default: --db)")
    parser.add_argument("--window", required=True)
    parser.add_argument("--afk", required=True)
    parser.add_argument("--end", required=True, help="end of the periods, ISO 8601 with offset")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=3, help="of wrk per round and server")
    args = parser.parse_args()
    end = datetime.fromisoformat(args.end)
    folder = tempfile.mkdtemp(prefix="query-ab-", dir=os.path.dirname(os.path.abspath(args.db)))
    servers = []
    try:
        copy = os.path.join(folder, "copy.db")
        shutil.copyfile(args.compare_db or args.db, copy)
        for name, binary, database in (("this", args.binary, args.db), ("other", args.compare_binary, copy)):
            home = os.path.join(folder, name)
            os.makedirs(home)
            process, url = start_server(binary, database, home)
            servers.append((name, process, url))
        out = {}
        for label, days in (("1d", 1), ("30d", 30)):
            body = query_body(args.window, args.afk, end - timedelta(days=days), end)
            for _, process, url in servers:
                wrk_run(url, 2, process.pid, "/api/0/query/", body)  # warm the caches
            runs = {name: [] for name, _, _ in servers}
            for _ in range(args.rounds):
                for name, process, url in servers:
                    runs[name].append(wrk_run(url, args.seconds, process.pid, "/api/0/query/", body))
            out[label] = {}
            for name, figures in runs.items():
                out[label][name] = {key: round(statistics.median(run[key] for run in figures), 2)
                                    for key in ("wrk_p50_ms", "server_cpu_ms_per_request",
                                                "server_page_faults_per_request")}
                out[label][name]["wrk_p50_ms_each_round"] = [run["wrk_p50_ms"] for run in figures]
            out[label]["ratio"] = {key: round(out[label]["this"][key] / out[label]["other"][key], 2)
                                   for key in ("wrk_p50_ms", "server_cpu_ms_per_request")}
        print(json.dumps(out, indent=1))
    finally:
        for _, process, _ in servers:
            process.terminate()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
