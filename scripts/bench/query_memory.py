#!/usr/bin/env python3
"""The memory one query takes per event it reads (the cost behind query_max_events): a release
aw-server on a private database gets a window bucket of N events, then one query reads them all
with query_bucket. Prints the server's peak RSS during the query above its RSS before, per event,
for window titles that repeat (as they do) and for data that differs in every event.

Usage: scripts/release-build.sh aw-server && scripts/bench/query_memory.py [--events 1000000]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from local_port import free_port

ROOT = Path(__file__).resolve().parents[2]
START = 1_700_000_000  # seconds since the epoch


def status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def measure(events: int, distinct_titles: int) -> tuple[float, float, float]:
    """(RSS before the query, peak RSS during it, seconds it took), in MiB."""
    with tempfile.TemporaryDirectory(prefix="aw-query-memory-") as home:
        port = free_port()
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
                   XDG_CACHE_HOME=f"{home}/cache")
        server = subprocess.Popen([str(ROOT / ".build/release/aw-server"), "--testing", "--no-watchers", "--port",
                                   str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/api/0"

        def post(path, body):
            request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.read()

        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/info", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            post("/buckets/w", {"type": "currentwindow", "client": "bench", "hostname": "h"})
            for first in range(0, events, 20_000):
                post("/buckets/w/events", [
                    {"timestamp": stamp(START + 5 * i), "duration": 5,
                     "data": {"app": f"app{i % 20}", "title": f"title {i % distinct_titles}"}}
                    for i in range(first, min(events, first + 20_000))])
            time.sleep(1)
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # resets the peak (VmHWM)
            before = status_mib(server.pid, "VmRSS")
            started = time.monotonic()
            post("/query/", {"timeperiods": [f"{stamp(START - 1)}/{stamp(START + 5 * events + 10)}"],
                             "query": ['events = query_bucket("w"); RETURN = 1;']})
            took = time.monotonic() - started
            return before, status_mib(server.pid, "VmHWM"), took
        finally:
            server.terminate()
            server.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    arguments = parser.parse_args()
    for label, distinct in (("titles repeat (300 distinct)", 300), ("every event's data differs", arguments.events)):
        before, peak, took = measure(arguments.events, distinct)
        print(f"{arguments.events:,} events, {label}: RSS {before:.1f} MiB before, {peak:.1f} MiB peak, "
              f"{(peak - before) * 1024 * 1024 / arguments.events:.0f} bytes per event, query {took:.2f} s")


if __name__ == "__main__":
    main()
