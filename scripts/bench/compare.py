#!/usr/bin/env python3
"""Prints a side-by-side table from rest_bench.py's results in OUT (reference.json and one
NAME.json per column, by default swift.json), with each column's ratio to the reference; then,
when OUT holds them, the same servers under requests sent back to back by wrk
(NAME-wrk-one-info.txt, NAME-wrk-heartbeat.txt, NAME-wrk-bulk.txt, each with the server's CPU
ticks in a .cpu file beside it), their reads of a big bucket's recent end
(NAME-recent.json, from recent_reads.py), and the ceilings measured with wrk.

    compare.py OUT [NAME=TITLE ...]
"""
import json
import os
import re
import sys
from pathlib import Path

out = Path(sys.argv[1])
columns = [argument.split("=", 1) for argument in sys.argv[2:]] or [["swift", "aw-server-swift"]]
reference = json.loads((out / "reference.json").read_text())
results = [json.loads((out / f"{name}.json").read_text()) for name, _ in columns]


def get(result, *path):
    for key in path:
        result = result.get(key) if isinstance(result, dict) else None
    return result


METRICS = [
    ("GET /api/0/info, sequential (req/s)", ("info_per_second",), "higher"),
    ("heartbeats, sequential (/s)", ("heartbeats", "per_second"), "higher"),
    ("heartbeat round trip p50 (ms)", ("heartbeats", "p50_ms"), "lower"),
    ("bulk insert, whole loop (events/s)", ("bulk", "events_per_second"), "higher"),
    ("bulk insert, requests' round trips only (events/s)", ("bulk", "events_per_second_round_trips"), "higher"),
    ("GET 100k events p50 (ms)", ("get_all_p50_ms",), "lower"),
    ("window+afk query, 1 day p50 (ms)", ("query_1_day_p50_ms",), "lower"),
    ("window+afk query, 30 days p50 (ms)", ("query_30_days_p50_ms",), "lower"),
    ("4 threads x heartbeats (/s)", ("concurrent_heartbeats_per_second",), "higher"),
    ("RSS idle (MiB)", ("memory", "idle", "VmRSS"), "lower"),
    ("RSS after 100k events (MiB)", ("memory", "after_bulk", "VmRSS"), "lower"),
    ("RSS peak (MiB)", ("memory", "end", "VmHWM"), "lower"),
]


def number(value):
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


print("| metric | reference Python aw-server | " + " | ".join(f"{title} | ratio" for _, title in columns) + " |")
print("| --- | ---: |" + " ---: | ---: |" * len(columns))
for name, path, better in METRICS:
    theirs = get(reference, *path)
    cells = [number(theirs)]
    for result in results:
        ours = get(result, *path)
        ratio = "-"
        if theirs and ours:
            ratio = f"{(ours / theirs if better == 'higher' else theirs / ours):,.1f}x"
        cells += [number(ours), ratio]
    print(f"| {name} | " + " | ".join(cells) + " |")
for label in ["reference"] + [name for name, _ in columns]:
    stored = get(json.loads((out / f"{label}.json").read_text()), "heartbeats")
    if stored and stored["events_stored"] != stored["events_expected"]:
        print(f"\nnote: {label} stored {stored['events_stored']} heartbeat events, {stored['events_expected']} expected")

def wrk_rate(path):
    """Requests per second in a wrk report, or None when there is none."""
    if not path.exists():
        return None
    return float(re.search(r"Requests/sec:\s+([\d.]+)", path.read_text()).group(1))


def side_by_side(title, rows):
    """A table of (metric, reference value, our value, which is better) rows with ratios."""
    rows = [row for row in rows if row[1] is not None and row[2] is not None]
    if not rows:
        return
    print(f"\n{title}\n")
    print("| metric | reference Python aw-server | aw-server-swift | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, theirs, ours, better in rows:
        ratio = ours / theirs if better == "higher" else theirs / ours
        print(f"| {name} | {number(theirs)} | {number(ours)} | {ratio:,.1f}x |")


def wrk_cpu_per_request(path):
    """The server's CPU seconds per request during a wrk run (its .cpu file holds the clock
    ticks), or None when the run is missing."""
    ticks = path.with_suffix(".cpu")
    if not path.exists() or not ticks.exists():
        return None
    requests = int(re.search(r"(\d+) requests in", path.read_text()).group(1))
    return int(ticks.read_text()) / os.sysconf("SC_CLK_TCK") / requests


ours_name = columns[0][0]
kinds = ("one-info", "heartbeat", "bulk")
runs = {kind: [out / f"{label}-wrk-{kind}.txt" for label in ("reference", ours_name)] for kind in kinds}
rates = {kind: [wrk_rate(path) for path in paths] for kind, paths in runs.items()}
cpu = {kind: [wrk_cpu_per_request(path) for path in paths] for kind, paths in runs.items()}


def scaled(values, factor):
    return [None if value is None else value * factor for value in values]


side_by_side("One connection, requests sent back to back by wrk (10 s each; the client takes no time of its own)", [
    ("GET /api/0/info (/s)", *rates["one-info"], "higher"),
    ("heartbeats (/s)", *rates["heartbeat"], "higher"),
    ("bulk insert, 1,000-event POSTs (events/s)", *scaled(rates["bulk"], 1000), "higher"),
    ("server CPU per GET /api/0/info (µs)", *scaled(cpu["one-info"], 1e6), "lower"),
    ("server CPU per heartbeat (µs)", *scaled(cpu["heartbeat"], 1e6), "lower"),
    ("server CPU per 1,000-event POST (ms)", *scaled(cpu["bulk"], 1e3), "lower"),
])
recent = [out / f"{label}-recent.json" for label in ("reference", ours_name)]
if all(path.exists() for path in recent):
    theirs, ours = (json.loads(path.read_text()) for path in recent)
    side_by_side(f"The recent end of a {ours['events']:,}-event bucket (recent_reads.py: ~{ours['recent_events']:,} "
                 "events from GET …/events?start=, and events/count?start=)", [
        ("GET recent events, Python client p50 (ms)", theirs["recent_p50_ms"], ours["recent_p50_ms"], "lower"),
        ("GET recent events, wrk mean (ms)", theirs["recent_wrk_mean_ms"], ours["recent_wrk_mean_ms"], "lower"),
        ("count, Python client p50 (ms)", theirs["count_p50_ms"], ours["count_p50_ms"], "lower"),
        ("count, wrk mean (ms)", theirs["count_wrk_mean_ms"], ours["count_wrk_mean_ms"], "lower"),
        ("filling it in 5,000-event POSTs (s)", theirs["fill_seconds"], ours["fill_seconds"], "lower"),
    ])

for label, name in (("GET /api/0/info", "wrk-info.txt"), ("POST heartbeat, one bucket per thread", "wrk-heartbeat.txt")):
    path = out / name
    if path.exists():
        text = path.read_text()
        latency = re.search(r"Latency\s+(\S+)", text)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        print(f"\naw-server-swift ceiling, {label} (wrk -t2 -c16, keep-alive): {wrk_rate(path):,.0f} req/s, "
              f"mean latency {latency.group(1)}" + (f", {errors.group(1)} errors" if errors else ", no errors"))
