#!/usr/bin/env python3
"""Memory over a long steady run: a release aw-server on a private database gets a watcher-like
heartbeat stream (two buckets, the window changing every 20 s of activity, AFK every 5 minutes)
plus the dashboard's day query every 1,000 requests. RSS is sampled as it goes, and the slope of
a straight line fitted to the samples after the first fifth is printed: flat memory is ~0.

Two modes:
  --requests N (default 200,000)  as fast as the server answers, one second of activity per
                                  heartbeat pair; the slope is per 100,000 requests
  --minutes M  (e.g. 30)          in real time, one heartbeat per bucket and second (times
                                  --speedup); the slope is per hour

Usage: scripts/release-build.sh aw-server && scripts/bench/soak.py [--requests 200000 | --minutes 30]
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


def slope(samples):
    """The least-squares slope of (x, y) samples."""
    count = len(samples)
    mean_x = sum(x for x, _ in samples) / count
    mean_y = sum(y for _, y in samples) / count
    spread = sum((x - mean_x) ** 2 for x, _ in samples)
    return sum((x - mean_x) * (y - mean_y) for x, y in samples) / spread if spread else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--minutes", type=float, help="run in real time for this long instead of --requests")
    parser.add_argument("--speedup", type=int, default=1, help="with --minutes: seconds of activity sent per second")
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
            samples, requests, second, began = [], 0, 0, time.monotonic()

            def send_second():
                nonlocal second, requests
                at = (start + timedelta(seconds=second)).isoformat()
                post(f"{api}/buckets/aw-watcher-window_soak/heartbeat?pulsetime=2",
                     {"timestamp": at, "data": {"app": f"app{(second // 20) % 7}", "title": f"title {second // 20}"}})
                post(f"{api}/buckets/aw-watcher-afk_soak/heartbeat?pulsetime=2",
                     {"timestamp": at, "data": {"status": "afk" if (second // 300) % 4 == 3 else "not-afk"}})
                second += 1
                requests += 2
                if requests % 1000 == 0:
                    end = start + timedelta(seconds=second)
                    post(f"{api}/query/", {**query, "timeperiods": [f"{(end - timedelta(days=1)).isoformat()}/{end.isoformat()}"]})
                    requests += 1

            if args.minutes:
                while time.monotonic() - began < args.minutes * 60:
                    for _ in range(args.speedup):
                        send_second()
                    elapsed = time.monotonic() - began
                    if elapsed >= len(samples) * 30:
                        samples.append((elapsed / 3600, rss_mib(server.pid)))
                        print(f"{elapsed / 60:5.1f} min  {requests:>8} requests  RSS {samples[-1][1]:6.1f} MiB", flush=True)
                    time.sleep(max(0.0, 1 - (time.monotonic() - began - int(elapsed))))
                unit = "hour"
            else:
                next_sample = 0
                while requests < args.requests:
                    send_second()
                    if requests >= next_sample or requests >= args.requests:
                        next_sample += 5_000
                        samples.append((requests / 100_000, rss_mib(server.pid)))
                        if len(samples) % 5 == 1:
                            print(f"{requests:>8} requests  RSS {samples[-1][1]:6.1f} MiB", flush=True)
                unit = "100,000 requests"
            settled = samples[len(samples) // 5:]
            print(f"RSS first {samples[0][1]:.1f} MiB, max {max(r for _, r in samples):.1f} MiB, last {samples[-1][1]:.1f} MiB; "
                  f"slope after the first fifth {slope(settled):+.2f} MiB per {unit} "
                  f"({len(samples)} samples, {requests:,} requests in {time.monotonic() - began:.0f} s)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
