#!/usr/bin/env python3
"""The REST workload `scripts/bench.sh` runs against aw-server-swift and the reference Python
aw-server, one after the other, so their figures come from one run on one machine.

    rest_bench.py --url http://127.0.0.1:PORT --pid SERVER_PID [--out result.json] [--quick]

Phases, each on buckets of its own:
  info         sequential GET /api/0/info for 3 s -> requests/s (a check on the machine's noise)
  heartbeats   N sequential heartbeats to one bucket (pulsetime 60, the data changing every 10th)
               -> heartbeats/s, round-trip latency p50/p99, and the events stored (want N/10)
  bulk         100,000 window events over 30 days in POSTs of 1,000 (plus an AFK bucket over the
               same days) -> events/s over the whole loop, and over the requests' round trips
               alone (the client's time making the batches left out; the server's own time is
               not visible from here)
  get          GET all window events (limit=-1) -> round-trip latency p50
  query        the web UI's window+afk query over the last day and over all 30 days -> p50
  concurrent   4 threads, each heartbeating its own bucket -> heartbeats/s in all
RSS (VmRSS, and the peak VmHWM) of --pid is read from /proc between phases. Only loopback
addresses are accepted. Prints and writes a JSON summary.
"""
import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

QUERY = [
    'window = flood(query_bucket("{window}"));',
    'afk = flood(query_bucket("{afk}"));',
    'active = filter_keyvals(afk, "status", ["not-afk"]);',
    "window = filter_period_intersect(window, active);",
    'merged = merge_events_by_keys(window, ["app", "title"]);',
    "RETURN = sort_by_duration(merged);",
]


class Connection:
    """One keep-alive HTTP/1.1 connection, opened again when the server closes it (the
    reference server answers `Connection: close`)."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.connection = host, port, None

    def send(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if response.will_close:
                    self.connection.close()
                    self.connection = None
                return response.status, payload
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ok(self, method: str, path: str, body=None):
        status, payload = self.send(method, path, body)
        if status not in (200, 201, 304):
            raise RuntimeError(f"{method} {path}: HTTP {status}: {payload[:200]!r}")
        return json.loads(payload) if payload.strip() else None


def memory(pid: int) -> dict:
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmRSS:", "VmHWM:")):
            fields[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    return fields


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def stamp(moment: datetime) -> str:
    return moment.isoformat()


def create(connection, bucket: str, kind: str):
    connection.ok("POST", f"/api/0/buckets/{bucket}", {"client": "rest-bench", "type": kind, "hostname": "bench"})


def heartbeats(connection, bucket: str, count: int, start: datetime) -> list[float]:
    latencies = []
    for index in range(count):
        event = {"timestamp": stamp(start + timedelta(seconds=index)), "duration": 0,
                 "data": {"app": "editor", "title": f"file {index // 10 % 2}"}}
        began = time.perf_counter()
        connection.ok("POST", f"/api/0/buckets/{bucket}/heartbeat?pulsetime=60", event)
        latencies.append(time.perf_counter() - began)
    return latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--out")
    parser.add_argument("--quick", action="store_true", help="a tenth of the work, to try the script")
    arguments = parser.parse_args()
    address = urllib.parse.urlsplit(arguments.url)
    if address.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("rest_bench.py only measures a server on this machine")
    scale = 10 if arguments.quick else 1
    connection = Connection(address.hostname, address.port)
    run = f"bench-{int(time.time())}"
    result = {"memory": {"idle": memory(arguments.pid)}}
    now = datetime.now(timezone.utc).replace(microsecond=0)

    began, requests = time.perf_counter(), 0
    while time.perf_counter() - began < 3:
        connection.ok("GET", "/api/0/info")
        requests += 1
    result["info_per_second"] = requests / (time.perf_counter() - began)

    count = 10_000 // scale
    bucket = f"{run}-heartbeats"
    create(connection, bucket, "currentwindow")
    began = time.perf_counter()
    latencies = heartbeats(connection, bucket, count, now - timedelta(days=40))
    result["heartbeats"] = {
        "per_second": count / (time.perf_counter() - began), "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "events_stored": len(connection.ok("GET", f"/api/0/buckets/{bucket}/events?limit=-1")),
        "events_expected": -(-count // 10)}

    total, batch = 100_000 // scale, 1000
    window, afk = f"{run}-window", f"{run}-afk"
    create(connection, window, "currentwindow")
    create(connection, afk, "afkstatus")
    first = now - timedelta(days=30)
    step = timedelta(days=30) / total
    round_trips, began = 0.0, time.perf_counter()
    for offset in range(0, total, batch):
        events = [{"timestamp": stamp(first + step * index), "duration": step.total_seconds() * 0.9,
                   "data": {"app": f"app{index % 17}", "title": f"title {index % 411}"}}
                  for index in range(offset, min(total, offset + batch))]
        sent = time.perf_counter()
        connection.ok("POST", f"/api/0/buckets/{window}/events", events)
        round_trips += time.perf_counter() - sent
    whole = time.perf_counter() - began
    hours = int(timedelta(days=30) / timedelta(hours=1))
    connection.ok("POST", f"/api/0/buckets/{afk}/events", [
        {"timestamp": stamp(first + timedelta(hours=hour)), "duration": 3000,
         "data": {"status": "not-afk" if hour % 3 else "afk"}} for hour in range(hours)])
    result["bulk"] = {"events_per_second": total / whole, "events_per_second_round_trips": total / round_trips}
    result["memory"]["after_bulk"] = memory(arguments.pid)

    times = []
    for _ in range(3):
        began = time.perf_counter()
        connection.ok("GET", f"/api/0/buckets/{window}/events?limit=-1")
        times.append(time.perf_counter() - began)
    result["get_all_p50_ms"] = statistics.median(times) * 1000

    query = [line.format(window=window, afk=afk) for line in QUERY]
    for name, days in (("query_1_day_p50_ms", 1), ("query_30_days_p50_ms", 30)):
        period = f"{stamp(now - timedelta(days=days))}/{stamp(now)}"
        times = []
        for _ in range(5 if days == 1 else 3):
            began = time.perf_counter()
            connection.ok("POST", "/api/0/query/", {"timeperiods": [period], "query": query})
            times.append(time.perf_counter() - began)
        result[name] = statistics.median(times) * 1000

    # The buckets exist before the threads start: the reference server's bucket cache answers 500
    # to a heartbeat that races its bucket's creation.
    threads, each = 4, 2_500 // scale
    for index in range(threads):
        create(connection, f"{run}-thread{index}", "currentwindow")
    failures = []

    def worker(index):
        try:
            heartbeats(Connection(address.hostname, address.port), f"{run}-thread{index}", each,
                       now - timedelta(days=50 + index))
        except Exception as error:  # reported below: a failed thread must not pass as a figure
            failures.append(error)

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if failures:
        raise RuntimeError(f"concurrent heartbeats failed: {failures[0]}")
    result["concurrent_heartbeats_per_second"] = threads * each / (time.perf_counter() - began)
    result["memory"]["end"] = memory(arguments.pid)

    for name in [f"{run}-heartbeats", window, afk] + [f"{run}-thread{index}" for index in range(threads)]:
        connection.send("DELETE", f"/api/0/buckets/{name}?force=1")
    text = json.dumps(result, indent=2)
    if arguments.out:
        open(arguments.out, "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
