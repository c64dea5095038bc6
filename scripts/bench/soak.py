#!/usr/bin/env python3
"""Memory over a long steady run: a release aw-server on a private database gets a watcher-like
heartbeat stream (two buckets, one heartbeat per second each, the window changing every 20 s,
AFK every 5 minutes) plus the dashboard's day query every 30 s, and its RSS is sampled every 30 s.
Prints the samples, and the growth over the second half of the run (flat memory: ~0).

Usage: swift build -c release --product aw-server && scripts/bench/soak.py [--minutes 10] [--speedup 1]
  --speedup N sends N heartbeats per bucket each second (simulating N seconds of activity).
"""
import argparse
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--speedup", type=int, default=1)
    parser.add_argument("--binary", default=str(ROOT / ".build/release/aw-server"))
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="aw-soak-") as directory:
        home = Path(directory)
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "c"), "XDG_DATA_HOME": str(home / "d"),
               "XDG_CACHE_HOME": str(home / "cache")}
        server = subprocess.Popen([args.binary, "--testing", "--port", str(port), "--no-watchers", "--dbpath",
                                   str(home / "soak.db")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        api = f"http://127.0.0.1:{port}/api/0"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{api}/info", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            post(f"{api}/buckets/aw-watcher-window_soak", {"client": "soak", "type": "currentwindow", "hostname": "soak"})
            post(f"{api}/buckets/aw-watcher-afk_soak", {"client": "soak", "type": "afkstatus", "hostname": "soak"})
            start = datetime.now(timezone.utc)
            query = {"query": ['events = flood(query_bucket("aw-watcher-window_soak"));',
                               'afk = filter_keyvals(flood(query_bucket("aw-watcher-afk_soak")), "status", ["not-afk"]);',
                               'events = filter_period_intersect(events, afk);',
                               'RETURN = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));']}
            samples, second, began = [], 0, time.monotonic()
            while time.monotonic() - began < args.minutes * 60:
                for _ in range(args.speedup):
                    at = (start + timedelta(seconds=second)).isoformat()
                    post(f"{api}/buckets/aw-watcher-window_soak/heartbeat?pulsetime=2",
                         {"timestamp": at, "data": {"app": f"app{(second // 20) % 7}", "title": f"title {second // 20}"}})
                    post(f"{api}/buckets/aw-watcher-afk_soak/heartbeat?pulsetime=2",
                         {"timestamp": at, "data": {"status": "afk" if (second // 300) % 4 == 3 else "not-afk"}})
                    second += 1
                elapsed = time.monotonic() - began
                if elapsed >= len(samples) * 30:
                    end = start + timedelta(seconds=second)
                    post(f"{api}/query/", {**query, "timeperiods": [f"{(end - timedelta(days=1)).isoformat()}/{end.isoformat()}"]})
                    samples.append((elapsed, rss_mib(server.pid)))
                    print(f"{elapsed / 60:5.1f} min  {second:>7} s of activity  RSS {samples[-1][1]:6.1f} MiB", flush=True)
                time.sleep(max(0.0, 1 - (time.monotonic() - began - int(elapsed))))
            half = [rss for at, rss in samples if at >= args.minutes * 30]
            print(f"RSS first {samples[0][1]:.1f} MiB, max {max(r for _, r in samples):.1f} MiB, last {samples[-1][1]:.1f} MiB; "
                  f"growth over the second half {half[-1] - half[0]:+.1f} MiB ({len(samples)} samples, {second} heartbeats "
                  f"per bucket)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
