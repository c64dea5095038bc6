#!/usr/bin/env python3
"""Times bench.py's window+afk query over the last day and the last 30 days of a big bucket,
against a running aw-server (loopback only):

    big_query.py --url http://127.0.0.1:PORT --window WINDOW_BUCKET --afk AFK_BUCKET --end ISO [--reps 5]
                 [--wrk SECONDS --pid SERVER_PID] [--get 100000] [--quiet SECONDS]

Prints one JSON object: per period, the merged events, their total duration and p50/min latency.
With --wrk, each period's query is also sent back to back by wrk on one connection for SECONDS
(no client time in the figure): its p50, and the server's CPU time and page faults per query from
/proc/PID/stat. With --get N, GET of the window bucket's newest N events is timed too (the body
read, not parsed; the server's CPU per GET with --pid; with --wrk also sent by wrk). With --pid the
server's RSS at the end is printed, and with --quiet again after that many seconds without requests."""
import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta


def query_body(window, afk, start, end):
    return json.dumps({"timeperiods": [f"{start.isoformat()}/{end.isoformat()}"], "query": [
        f'window = query_bucket("{window}");',
        f'afk = query_bucket("{afk}");',
        'afk = filter_keyvals(afk, "status", ["not-afk"]);',
        "window = filter_period_intersect(window, afk);",
        'events = merge_events_by_keys(window, ["app", "title"]);',
        "events = sort_by_duration(events);",
        "RETURN = events;",
    ]})


def query(url, window, afk, start, end):
    body = query_body(window, afk, start, end).encode()
    request = urllib.request.Request(f"{url}/api/0/query/", body, {"Content-Type": "application/json"})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        result = json.load(response)[0]
    return time.perf_counter() - began, result


def process_stat(pid):
    """The fields of /proc/PID/stat after the command name."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid):
    """User plus system CPU time of a process so far."""
    fields = process_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        return round(int(re.search(r"^VmRSS:\s+(\d+) kB", status.read(), re.M).group(1)) / 1024, 1)


def wrk_run(url, seconds, pid, path, body=None):
    """Requests sent back to back by wrk on one connection (a POST of `body` as JSON, else a GET):
    their p50 in ms, and the server's CPU ms and page faults per request."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None:
            script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                         f'wrk.body = {json.dumps(body)}\n')
        script.write(f'wrk.path = {json.dumps(path)}\n')
        script.flush()
        before, faults_before = cpu_seconds(pid), int(process_stat(pid)[7])
        out = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", "-s", script.name, url],
                             check=True, capture_output=True, text=True).stdout
        cpu, faults = cpu_seconds(pid) - before, int(process_stat(pid)[7]) - faults_before
    count = int(re.search(r"(\d+) requests in", out).group(1))
    value, unit = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)$", out, re.M).groups()
    p50 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return {"wrk_requests": count, "wrk_p50_ms": round(p50, 2),
            "server_cpu_ms_per_request": round(cpu * 1000 / count, 1),
            "server_page_faults_per_request": round(faults / count)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--window", required=True)
    parser.add_argument("--afk", required=True)
    parser.add_argument("--end", required=True, help="end of the periods, ISO 8601 with offset")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--wrk", type=int, metavar="SECONDS", help="also time each query with wrk")
    parser.add_argument("--pid", type=int, help="the server's process id (with --wrk or --get)")
    parser.add_argument("--get", type=int, metavar="N", help="also time GET of the newest N window events")
    parser.add_argument("--quiet", type=int, metavar="SECONDS",
                        help="with --pid, wait this long after the requests and read the server's RSS again")
    args = parser.parse_args()
    if args.wrk and not args.pid:
        parser.error("--wrk needs --pid")
    end = datetime.fromisoformat(args.end)
    out = {}
    for label, days in (("1d", 1), ("30d", 30)):
        times, result = [], []
        for _ in range(args.reps):
            seconds, result = query(args.url, args.window, args.afk, end - timedelta(days=days), end)
            times.append(seconds * 1000)
        out[label] = {"merged_events": len(result), "sum_duration_s": round(sum(e["duration"] for e in result), 1),
                      "p50_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1)}
        if args.wrk:
            body = query_body(args.window, args.afk, end - timedelta(days=days), end)
            out[label].update(wrk_run(args.url, args.wrk, args.pid, "/api/0/query/", body))
    if args.get:
        path = f"/api/0/buckets/{args.window}/events?limit={args.get}"
        url = args.url + path
        times, size = [], 0
        before = cpu_seconds(args.pid) if args.pid else 0
        for _ in range(args.reps):
            began = time.perf_counter()
            with urllib.request.urlopen(url, timeout=600) as response:
                size = len(response.read())
            times.append((time.perf_counter() - began) * 1000)
        out["get"] = {"events": args.get, "bytes": size, "p50_ms": round(statistics.median(times), 1)}
        if args.pid:
            out["get"]["server_cpu_ms_per_get"] = round((cpu_seconds(args.pid) - before) * 1000 / args.reps, 1)
        if args.wrk:
            out["get"].update(wrk_run(args.url, args.wrk, args.pid, path))
    if args.pid:
        out["server_rss_mib"] = resident_mib(args.pid)
        if args.quiet:
            time.sleep(args.quiet)
            out["server_rss_mib_after_quiet"] = resident_mib(args.pid)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
