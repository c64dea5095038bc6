#!/usr/bin/env python3
"""Times bench.py's window+afk query over the last day and the last 30 days of a big bucket,
against a running aw-server (loopback only):

    big_query.py --url http://127.0.0.1:PORT --window WINDOW_BUCKET --afk AFK_BUCKET --end ISO [--reps 5]

Prints one JSON object: per period, the merged events, their total duration and p50/min latency."""
import argparse
import json
import statistics
import time
import urllib.request
from datetime import datetime, timedelta


def query(url, window, afk, start, end):
    body = json.dumps({"timeperiods": [f"{start.isoformat()}/{end.isoformat()}"], "query": [
        f'window = query_bucket("{window}");',
        f'afk = query_bucket("{afk}");',
        'afk = filter_keyvals(afk, "status", ["not-afk"]);',
        "window = filter_period_intersect(window, afk);",
        'events = merge_events_by_keys(window, ["app", "title"]);',
        "events = sort_by_duration(events);",
        "RETURN = events;",
    ]}).encode()
    request = urllib.request.Request(f"{url}/api/0/query/", body, {"Content-Type": "application/json"})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        result = json.load(response)[0]
    return time.perf_counter() - began, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--window", required=True)
    parser.add_argument("--afk", required=True)
    parser.add_argument("--end", required=True, help="end of the periods, ISO 8601 with offset")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    end = datetime.fromisoformat(args.end)
    out = {}
    for label, days in (("1d", 1), ("30d", 30)):
        times, result = [], []
        for _ in range(args.reps):
            seconds, result = query(args.url, args.window, args.afk, end - timedelta(days=days), end)
            times.append(seconds * 1000)
        out[label] = {"merged_events": len(result), "sum_duration_s": round(sum(e["duration"] for e in result), 1),
                      "p50_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
