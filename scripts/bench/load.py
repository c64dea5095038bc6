#!/usr/bin/env python3
"""Mixed load on one aw-server over loopback: 8 heartbeat writers, 2 bulk inserters and 2 query
readers at once for a fixed time, each on its own keep-alive connection. Afterwards every
acknowledged write is looked up. Prints requests, errors and p50/p99 latency per kind.

Usage: scripts/bench/load.py --url http://127.0.0.1:5666 [--seconds 60]
       (Tests/compat/test_load.py runs it against a fresh server and asserts on the result.)
"""
import argparse
import http.client
import json
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)
HEARTBEAT_WRITERS, BULK_INSERTERS, QUERY_READERS = 8, 2, 2
BULK_SIZE = 100


class Connection:
    """One keep-alive HTTP connection; `call` returns (status, parsed body, seconds)."""

    def __init__(self, url: str):
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        began = time.perf_counter()
        self.connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        text = response.read()
        elapsed = time.perf_counter() - began
        return response.status, (json.loads(text) if text else None), elapsed


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(url: str, seconds: float = 60) -> dict:
    """Runs the mixed load and the check; returns counts, errors, latencies and what is missing."""
    setup = Connection(url)
    for index in range(HEARTBEAT_WRITERS):
        setup.call("POST", f"/api/0/buckets/load-hb-{index}", {"client": "load", "type": "t", "hostname": "h"})
    for index in range(BULK_INSERTERS):
        setup.call("POST", f"/api/0/buckets/load-bulk-{index}", {"client": "load", "type": "t", "hostname": "h"})
    setup.call("POST", "/api/0/buckets/load-window", {"client": "load", "type": "currentwindow", "hostname": "h"})
    window = [{"timestamp": (T0 + timedelta(seconds=5 * i)).isoformat(), "duration": 5,
               "data": {"app": f"app{i % 9}", "title": f"t{i % 50}"}} for i in range(17280)]
    for start in range(0, len(window), 2000):
        setup.call("POST", "/api/0/buckets/load-window/events", window[start:start + 2000])

    stop = threading.Event()
    latencies = {"heartbeat": [], "bulk insert": [], "query": []}
    errors: list[str] = []
    heartbeats: dict[tuple[int, int], dict] = {}  # (writer, event id) -> last acknowledged state
    inserted: dict[int, list[dict]] = {index: [] for index in range(BULK_INSERTERS)}
    lock = threading.Lock()

    def guard(kind, body):
        try:
            body()
        except Exception as error:  # a refused or broken connection counts as an error
            with lock:
                errors.append(f"{kind}: {error!r}")

    def record(kind, status, body, elapsed, acknowledge):
        """Notes one answer: its latency, and either the acknowledged write or the error."""
        with lock:
            latencies[kind].append(elapsed)
            if status != 200:
                errors.append(f"{kind} {status}: {body}")
            else:
                acknowledge(body)

    def heartbeat_writer(index):
        connection, beat = Connection(url), 0
        while not stop.is_set():
            event = {"timestamp": (T0 + timedelta(seconds=beat)).isoformat(), "data": {"state": beat // 10}}
            answer = connection.call("POST", f"/api/0/buckets/load-hb-{index}/heartbeat?pulsetime=2", event)
            record("heartbeat", *answer, lambda body: heartbeats.__setitem__((index, body["id"]), body))
            beat += 1

    def bulk_inserter(index):
        connection, batch = Connection(url), 0
        while not stop.is_set():
            events = [{"timestamp": (T0 + timedelta(minutes=batch * BULK_SIZE + i)).isoformat(), "duration": 30,
                       "data": {"batch": batch, "i": i}} for i in range(BULK_SIZE)]
            answer = connection.call("POST", f"/api/0/buckets/load-bulk-{index}/events", events)
            # Matched later by data (unique per event): the reference Python server answers an
            # insert of several events with no body, so ids are not always known.
            record("bulk insert", *answer, lambda _body, sent=events: inserted[index].extend(sent))
            batch += 1

    query = {"timeperiods": [f"{T0.isoformat()}/{(T0 + timedelta(days=1)).isoformat()}"],
             "query": ['events = flood(query_bucket("load-window"));',
                       'RETURN = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));']}

    def query_reader(_):
        connection = Connection(url)
        while not stop.is_set():
            status, body, elapsed = connection.call("POST", "/api/0/query/", query)
            with lock:
                latencies["query"].append(elapsed)
                if status != 200 or sum(e["duration"] for e in body[0]) != 86400:
                    errors.append(f"query {status}: {str(body)[:200]}")

    threads = [threading.Thread(target=guard, args=(kind, lambda f=function, i=index: f(i)))
               for kind, function, count in (("heartbeat", heartbeat_writer, HEARTBEAT_WRITERS),
                                             ("bulk insert", bulk_inserter, BULK_INSERTERS),
                                             ("query", query_reader, QUERY_READERS))
               for index in range(count)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - began

    # Every acknowledged write is there: inserts exactly, heartbeat events at least as long.
    missing = []
    check = Connection(url)
    for index in range(BULK_INSERTERS):
        _, stored, _ = check.call("GET", f"/api/0/buckets/load-bulk-{index}/events?limit=-1")
        stored_data = {json.dumps(event["data"], sort_keys=True) for event in stored}
        missing += [f"bulk {event['data']}" for event in inserted[index]
                    if json.dumps(event["data"], sort_keys=True) not in stored_data]
        if len(stored) != len(inserted[index]):
            missing.append(f"bulk bucket {index}: {len(stored)} events stored, {len(inserted[index])} acknowledged")
    for index in range(HEARTBEAT_WRITERS):
        _, stored, _ = check.call("GET", f"/api/0/buckets/load-hb-{index}/events?limit=-1")
        by_id = {event["id"]: event for event in stored}
        for (writer, event_id), answer in heartbeats.items():
            if writer != index:
                continue
            event = by_id.get(event_id)
            if event is None or event["data"] != answer["data"] or event["duration"] < answer["duration"]:
                missing.append(f"heartbeat {writer}/{event_id}")
    return {
        "seconds": elapsed,
        "requests": {kind: len(values) for kind, values in latencies.items()},
        "p50_ms": {kind: percentile(values, 0.5) * 1000 for kind, values in latencies.items()},
        "p99_ms": {kind: percentile(values, 0.99) * 1000 for kind, values in latencies.items()},
        "errors": errors,
        "acknowledged": {"bulk events": sum(len(v) for v in inserted.values()), "heartbeat events": len(heartbeats)},
        "missing": missing,
    }


def report(result: dict) -> str:
    lines = [f"{sum(result['requests'].values()):,} requests in {result['seconds']:.0f} s, "
             f"{len(result['errors'])} errors, {len(result['missing'])} acknowledged writes missing "
             f"({result['acknowledged']['bulk events']:,} bulk events, {result['acknowledged']['heartbeat events']:,} "
             f"heartbeat events checked)"]
    for kind in result["requests"]:
        lines.append(f"  {kind:<12} {result['requests'][kind]:>7,} requests  p50 {result['p50_ms'][kind]:7.1f} ms  "
                     f"p99 {result['p99_ms'][kind]:7.1f} ms")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    result = run_load(args.url, args.seconds)
    print(report(result))
    for line in (result["errors"] + result["missing"])[:20]:
        print("  !", line)


if __name__ == "__main__":
    main()
