#!/usr/bin/env python3
"""Today's top applications while you were at the computer, with the Python aw-client (pip install
aw-client) and the same query the ActivityWatch web UI sends: window events, cut to the time the
AFK watcher saw you active, merged by app.

Usage: python3 examples/rest/top_apps.py [--port 5600] [--testing] [--since 2026-05-01T08:00]
"""
import argparse
import socket
import sys
from datetime import datetime, timedelta, timezone

from aw_client import ActivityWatchClient
from requests import HTTPError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int)
    parser.add_argument("--testing", action="store_true")
    parser.add_argument("--since", type=datetime.fromisoformat, help="start time, ISO 8601 (default: today 00:00)")
    parser.add_argument("--hostname", default=socket.gethostname(), help="whose buckets (default: this machine)")
    args = parser.parse_args()

    client = ActivityWatchClient("example-top-apps", testing=args.testing, port=args.port)
    query = f"""
        window = flood(query_bucket(find_bucket("aw-watcher-window_{args.hostname}")));
        afk = flood(query_bucket(find_bucket("aw-watcher-afk_{args.hostname}")));
        active = filter_keyvals(afk, "status", ["not-afk"]);
        window = filter_period_intersect(window, active);
        RETURN = sort_by_duration(merge_events_by_keys(window, ["app"]));
    """
    start = args.since or datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    end = datetime.now(timezone.utc) + timedelta(minutes=1)
    try:
        events = client.query(query, [(start, end)])[0]
    except HTTPError as error:  # e.g. no window or AFK bucket for this host yet
        sys.exit(f"top_apps.py: {error.response.json().get('message', error)}")
    total = sum(e["duration"] for e in events)
    print(f"{'APP':<30} {'TIME':>10}")
    for event in events[:10]:
        minutes, seconds = divmod(round(event["duration"]), 60)
        print(f"{event['data']['app']:<30} {minutes:>6}m {seconds:02d}s")
    print(f"{'active in total':<30} {round(total / 60):>6}m")


if __name__ == "__main__":
    main()
