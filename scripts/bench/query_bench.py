#!/usr/bin/env python3
"""Query benchmarks beyond bench.py, against a running aw-server (loopback only):

  1. categorize with the web UI's default category rules over 100k window events (30 days),
     then grouping by category, as the Activity view does;
  2. a big bucket (1M events over a year by default): its last day, and (up to 2M events) the
     whole bucket through query_bucket + merge_events_by_keys and GET of all its events (streamed);
each with the server's resident memory (VmRSS) and peak (VmHWM) before and after.

    python3 scripts/bench/query_bench.py --url http://127.0.0.1:5666 --pid PID [--events 100000] [--big 1000000]
"""
import argparse
import http.client
import json
import random
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

CATEGORIES = [  # aw-webui's default categories
    [["Work"], {"type": "regex", "regex": "Google Docs|libreoffice|ReText"}],
    [["Work", "Programming"], {"type": "regex", "regex": "GitHub|Stack Overflow|BitBucket|Gitlab|vim|Spyder|kate|Ghidra|Scite"}],
    [["Work", "Programming", "ActivityWatch"], {"type": "regex", "regex": "ActivityWatch|aw-", "ignore_case": True}],
    [["Work", "Image"], {"type": "regex", "regex": "Gimp|Inkscape"}],
    [["Work", "Video"], {"type": "regex", "regex": "Kdenlive"}],
    [["Work", "Audio"], {"type": "regex", "regex": "Audacity"}],
    [["Work", "3D"], {"type": "regex", "regex": "Blender"}],
    [["Media", "Games"], {"type": "regex", "regex": "Minecraft|RimWorld"}],
    [["Media", "Video"], {"type": "regex", "regex": "YouTube|Plex|VLC"}],
    [["Media", "Social Media"], {"type": "regex", "regex": "reddit|Facebook|Twitter|Instagram|devRant", "ignore_case": True}],
    [["Media", "Music"], {"type": "regex", "regex": "Spotify|Deezer", "ignore_case": True}],
    [["Comms", "IM"], {"type": "regex", "regex": "Messenger|Telegram|Signal|WhatsApp|Rambox|Slack|Riot|Element|Discord|Nheko|NeoChat|Mattermost"}],
    [["Comms", "Email"], {"type": "regex", "regex": "Gmail|Thunderbird|mutt|alpine"}],
]
APPS = ["Firefox", "Code", "Alacritty", "Slack", "Spotify", "Thunderbird", "Gimp", "vim", "Discord", "libreoffice",
        "Blender", "VLC", "Telegram", "Inkscape", "Minecraft", "Chromium"]
TOPICS = ["GitHub - pull request", "YouTube - video", "reddit - front page", "aw-server-swift - main.swift",
          "Stack Overflow - question", "Gmail - inbox", "Google Docs - report", "Twitter - home", "notes.md", "Plex"]


class Client:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        assert u.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, data, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300 and response.status != 304:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return payload


def rss(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(value.split()[0]) / 1024, 1)
    return values


def fill(client, bucket, count, start, span_days, rng):
    client.call("POST", f"/api/0/buckets/{bucket}", {"client": "query-bench", "type": "currentwindow", "hostname": "bench"})
    step = span_days * 86400 / count
    batch = []
    for i in range(count):
        app = rng.choice(APPS)
        batch.append({"timestamp": (start + timedelta(seconds=i * step)).isoformat(), "duration": round(step * 0.9, 3),
                      "data": {"app": app, "title": f"{rng.choice(TOPICS)} ({rng.randrange(40)}) - {app}"}})
        if len(batch) == 5000:
            client.call("POST", f"/api/0/buckets/{bucket}/events", batch)
            batch = []
    if batch:
        client.call("POST", f"/api/0/buckets/{bucket}/events", batch)


def timed_query(client, lines, start, end, reps):
    body = {"timeperiods": [f"{start.isoformat()}/{end.isoformat()}"], "query": lines}
    times, result = [], None
    for _ in range(reps):
        t = time.perf_counter()
        result = json.loads(client.call("POST", "/api/0/query/", body))
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2] * 1000, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:5666")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    client, rng = Client(a.url), random.Random(1)
    run = int(time.time())
    end = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=30)
    report = {"rss_start": rss(a.pid)}

    bucket = f"qbench-{run}-window"
    fill(client, bucket, a.events, start, 30, rng)
    report["rss_after_fill"] = rss(a.pid)
    lines = [f'events = query_bucket("{bucket}");', f"events = categorize(events, {json.dumps(CATEGORIES)});",
             'RETURN = sort_by_duration(merge_events_by_keys(events, ["$category"]));']
    ms, result = timed_query(client, lines, start, end, a.reps)
    report["categorize_100k"] = {"events": a.events, "p50_ms": round(ms, 1), "categories": len(result[0]),
                                 "rss": rss(a.pid)}

    big = f"qbench-{run}-big"
    t = time.perf_counter()
    fill(client, big, a.big, start - timedelta(days=335), 365, rng)
    report["big_fill"] = {"events": a.big, "seconds": round(time.perf_counter() - t, 1), "rss": rss(a.pid)}
    by_app = [f'events = query_bucket("{big}");', 'RETURN = {"n": sum_durations(events), '
              '"apps": sort_by_duration(merge_events_by_keys(events, ["app"]))};']
    ms, result = timed_query(client, by_app, end - timedelta(days=1), end, a.reps)
    report["big_last_day"] = {"p50_ms": round(ms, 1), "apps": len(result[0]["apps"]), "rss": rss(a.pid)}
    if a.big <= 2_000_000:
        ms, result = timed_query(client, by_app, start - timedelta(days=336), end + timedelta(days=1), a.reps)
        report["big_whole_bucket"] = {"p50_ms": round(ms, 1), "apps": len(result[0]["apps"]), "rss": rss(a.pid)}
        t = time.perf_counter()
        size = len(client.call("GET", f"/api/0/buckets/{big}/events?limit=-1"))
        report["big_get_all"] = {"seconds": round(time.perf_counter() - t, 2), "bytes": size, "rss": rss(a.pid)}

    for b in (bucket, big):
        client.call("DELETE", f"/api/0/buckets/{b}")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
