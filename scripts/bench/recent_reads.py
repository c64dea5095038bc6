#!/usr/bin/env python3
"""Reads of the recent end of a big bucket over REST, as a dashboard or a script polling "what
happened lately" makes them: a bucket of N window events (one every 5 s, the newest ending now)
is filled in POSTs of 5,000, then, on one keep-alive connection,

  recent   GET /api/0/buckets/<id>/events?start=<the time 1,000 events ago>&limit=-1
           (about 1,000 events, JSON parsed by the client) -> latency p50 / p99
  count    GET /api/0/buckets/<id>/events/count?start=<the same time> -> latency p50 / p99

and then the same two requests sent back to back for 5 s by wrk (a C client, one keep-alive
connection, nothing parsed) -> mean latency, which is the server's answer with HTTP and JSON
and without the Python client's time.

Run it against aw-server-swift and the reference Python aw-server in turn (each on its own
empty database) to compare. Only loopback addresses are accepted.

Usage: scripts/bench/recent_reads.py --url http://127.0.0.1:PORT [--events 1000000] [--reps 200] [--out FILE]
"""
import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

from rest_bench import Connection, percentile


def timed(connection, path, reps):
    """p50 and p99 latencies in ms of `reps` GETs of `path`, the answer parsed as JSON each time."""
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        connection.ok("GET", path)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), percentile(times, 0.99)


def wrk_mean_ms(url):
    """The mean latency in ms of GETs of `url` sent back to back by wrk on one connection for 5 s."""
    text = subprocess.run(["wrk", "-t1", "-c1", "-d5s", url], check=True, capture_output=True, text=True).stdout
    value, unit = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--recent", type=int, default=1000, help="how many of the newest events a read returns")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--out", help="also write the JSON summary to this file")
    args = parser.parse_args()
    target = urllib.parse.urlparse(args.url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("only a loopback server is accepted")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    connection = Connection(target.hostname, target.port)
    bucket = "aw-bench-recent"
    connection.ok("POST", f"/api/0/buckets/{bucket}",
                  {"client": "recent_reads", "type": "currentwindow", "hostname": "bench"})
    now = datetime.now(timezone.utc).replace(microsecond=0)
    first = now - timedelta(seconds=5 * args.events)
    began = time.perf_counter()
    for offset in range(0, args.events, 5000):
        batch = [{"timestamp": (first + timedelta(seconds=5 * index)).isoformat(), "duration": 5,
                  "data": {"app": f"app{index % 7}", "title": f"title {index % 101}"}}
                 for index in range(offset, min(offset + 5000, args.events))]
        connection.ok("POST", f"/api/0/buckets/{bucket}/events", batch)
    filled = time.perf_counter() - began
    start = urllib.parse.quote((now - timedelta(seconds=5 * args.recent)).isoformat())
    events = connection.ok("GET", f"/api/0/buckets/{bucket}/events?start={start}&limit=-1")
    recent = timed(connection, f"/api/0/buckets/{bucket}/events?start={start}&limit=-1", args.reps)
    count = timed(connection, f"/api/0/buckets/{bucket}/events/count?start={start}", args.reps)
    summary = {"events": args.events, "fill_seconds": round(filled, 1), "recent_events": len(events),
               "recent_p50_ms": round(recent[0], 3), "recent_p99_ms": round(recent[1], 3),
               "count_p50_ms": round(count[0], 3), "count_p99_ms": round(count[1], 3)}
    base = f"http://{target.hostname}:{target.port}/api/0/buckets/{bucket}"
    summary["recent_wrk_mean_ms"] = round(wrk_mean_ms(f"{base}/events?start={start}&limit=-1"), 3)
    summary["count_wrk_mean_ms"] = round(wrk_mean_ms(f"{base}/events/count?start={start}"), 3)
    print(f"filled {args.events:,} events in {filled:.1f} s")
    print(f"recent: {len(events)} events, p50 {recent[0]:.3f} ms, p99 {recent[1]:.3f} ms, "
          f"wrk mean {summary['recent_wrk_mean_ms']:.3f} ms")
    print(f"count:  p50 {count[0]:.3f} ms, p99 {count[1]:.3f} ms, wrk mean {summary['count_wrk_mean_ms']:.3f} ms")
    print(json.dumps(summary))
    if args.out:
        with open(args.out, "w") as file:
            json.dump(summary, file)


if __name__ == "__main__":
    main()
