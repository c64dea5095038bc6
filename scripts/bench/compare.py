#!/usr/bin/env python3
"""Prints the side-by-side table of scripts/bench.sh from bench.py's JSON results (and wrk's output)."""
import json
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
ref = json.loads((out / "reference.json").read_text())
new = json.loads((out / "swift.json").read_text())


def get(d, *path):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def server_side_bulk(d):
    """Events per second of server time: events / sum of the batch round trips (no client work)."""
    lat = get(d, "b_bulk_insert", "batch_latency")
    sent = get(d, "b_bulk_insert", "events_sent")
    if not lat or not sent:
        return None
    return sent / (lat["mean_ms"] * lat["n"] / 1000)


rows = [
    ("GET /api/0/info, sequential (req/s)", get(ref, "i_info_baseline", "requests_per_s"), get(new, "i_info_baseline", "requests_per_s"), "higher"),
    ("heartbeats, sequential (/s)", get(ref, "a_heartbeat", "heartbeats_per_s"), get(new, "a_heartbeat", "heartbeats_per_s"), "higher"),
    ("heartbeat latency p50 (ms)", get(ref, "a_heartbeat", "latency", "p50_ms"), get(new, "a_heartbeat", "latency", "p50_ms"), "lower"),
    ("bulk insert, bench.py (events/s)", get(ref, "b_bulk_insert", "events_per_s"), get(new, "b_bulk_insert", "events_per_s"), "higher"),
    ("bulk insert, server time only (events/s)", server_side_bulk(ref), server_side_bulk(new), "higher"),
    ("GET 100k events p50 (ms)", get(ref, "c_get_all_events", "latency", "p50_ms"), get(new, "c_get_all_events", "latency", "p50_ms"), "lower"),
    ("window+afk query, 1 day p50 (ms)", get(ref, "d_query", "1d", "latency", "p50_ms"), get(new, "d_query", "1d", "latency", "p50_ms"), "lower"),
    ("window+afk query, 30 days p50 (ms)", get(ref, "d_query", "30d", "latency", "p50_ms"), get(new, "d_query", "30d", "latency", "p50_ms"), "lower"),
    ("4 threads x heartbeats (/s)", get(ref, "e_concurrent_heartbeat", "heartbeats_per_s"), get(new, "e_concurrent_heartbeat", "heartbeats_per_s"), "higher"),
    ("RSS idle (MiB)", get(ref, "rss", "idle_start", "VmRSS_MiB"), get(new, "rss", "idle_start", "VmRSS_MiB"), "lower"),
    ("RSS after 100k events (MiB)", get(ref, "rss", "after_b", "VmRSS_MiB"), get(new, "rss", "after_b", "VmRSS_MiB"), "lower"),
    ("RSS peak (MiB)", get(ref, "rss", "after_cleanup", "VmHWM_MiB"), get(new, "rss", "after_cleanup", "VmHWM_MiB"), "lower"),
]


def fmt(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


print(f"| metric | reference Python aw-server | aw-server-swift | ratio |")
print(f"| --- | ---: | ---: | ---: |")
for name, a, b, better in rows:
    ratio = "-"
    if a and b:
        r = b / a if better == "higher" else a / b
        ratio = f"{r:,.1f}x"
    print(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio} |")

for label, name in (("GET /api/0/info", "wrk-info.txt"), ("POST heartbeat", "wrk-heartbeat.txt")):
    path = out / name
    if path.exists():
        text = path.read_text()
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        latency = re.search(r"Latency\s+(\S+)", text)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        print(f"\naw-server-swift ceiling, {label} (wrk -t2 -c16): {float(rps.group(1)):,.0f} req/s, mean latency {latency.group(1)}"
              + (f", {errors.group(1)} errors" if errors else ", no errors"))
