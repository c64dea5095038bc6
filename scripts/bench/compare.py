#!/usr/bin/env python3
"""Prints the side-by-side table of scripts/bench.sh from bench.py's JSON results (and wrk's output).

    compare.py OUT [NAME=TITLE ...]

OUT holds reference.json and one NAME.json per column (default: swift.json, "aw-server-swift");
each column gets its ratio to the reference."""
import json
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
columns = [arg.split("=", 1) for arg in sys.argv[2:]] or [["swift", "aw-server-swift"]]
ref = json.loads((out / "reference.json").read_text())
results = [json.loads((out / f"{name}.json").read_text()) for name, _ in columns]


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


METRICS = [
    ("GET /api/0/info, sequential (req/s)", lambda d: get(d, "i_info_baseline", "requests_per_s"), "higher"),
    ("heartbeats, sequential (/s)", lambda d: get(d, "a_heartbeat", "heartbeats_per_s"), "higher"),
    ("heartbeat latency p50 (ms)", lambda d: get(d, "a_heartbeat", "latency", "p50_ms"), "lower"),
    ("bulk insert, bench.py (events/s)", lambda d: get(d, "b_bulk_insert", "events_per_s"), "higher"),
    ("bulk insert, server time only (events/s)", server_side_bulk, "higher"),
    ("GET 100k events p50 (ms)", lambda d: get(d, "c_get_all_events", "latency", "p50_ms"), "lower"),
    ("window+afk query, 1 day p50 (ms)", lambda d: get(d, "d_query", "1d", "latency", "p50_ms"), "lower"),
    ("window+afk query, 30 days p50 (ms)", lambda d: get(d, "d_query", "30d", "latency", "p50_ms"), "lower"),
    ("4 threads x heartbeats (/s)", lambda d: get(d, "e_concurrent_heartbeat", "heartbeats_per_s"), "higher"),
    ("RSS idle (MiB)", lambda d: get(d, "rss", "idle_start", "VmRSS_MiB"), "lower"),
    ("RSS after 100k events (MiB)", lambda d: get(d, "rss", "after_b", "VmRSS_MiB"), "lower"),
    ("RSS peak (MiB)", lambda d: get(d, "rss", "after_cleanup", "VmHWM_MiB"), "lower"),
]


def fmt(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


header = " | ".join(f"{title} | ratio" for _, title in columns)
print(f"| metric | reference Python aw-server | {header} |")
print("| --- | ---: |" + " ---: | ---: |" * len(columns))
for name, value, better in METRICS:
    a = value(ref)
    cells = [fmt(a)]
    for result in results:
        b = value(result)
        ratio = "-"
        if a and b:
            ratio = f"{(b / a if better == 'higher' else a / b):,.1f}x"
        cells += [fmt(b), ratio]
    print(f"| {name} | " + " | ".join(cells) + " |")

for label, name in (("GET /api/0/info", "wrk-info.txt"), ("POST heartbeat", "wrk-heartbeat.txt")):
    path = out / name
    if path.exists():
        text = path.read_text()
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        latency = re.search(r"Latency\s+(\S+)", text)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        print(f"\naw-server-swift ceiling, {label} (wrk -t2 -c16): {float(rps.group(1)):,.0f} req/s, mean latency {latency.group(1)}"
              + (f", {errors.group(1)} errors" if errors else ", no errors"))
