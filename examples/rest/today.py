#!/usr/bin/env python3
"""Prints today's active time per application, the way the ActivityWatch web UI computes it:
window events, flooded, cut to the time you were not AFK, grouped by app.

    examples/rest/today.py [--url http://127.0.0.1:5600]

Uses only the standard library: one POST to /api/0/query/.
"""
import argparse
import json
import socket
import urllib.request
from datetime import datetime, timedelta


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5600")
    parser.add_argument("--host", default=socket.gethostname(), help="whose buckets to read")
    args = parser.parse_args()

    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    query = [
        f'events = flood(query_bucket(find_bucket("aw-watcher-window_", "{args.host}")));',
        f'not_afk = flood(query_bucket(find_bucket("aw-watcher-afk_", "{args.host}")));',
        'not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);',
        "events = filter_period_intersect(events, not_afk);",
        'RETURN = sort_by_duration(merge_events_by_keys(events, ["app"]));',
    ]
    body = json.dumps({"timeperiods": [f"{midnight.isoformat()}/{(midnight + timedelta(days=1)).isoformat()}"],
                       "query": query}).encode()
    request = urllib.request.Request(f"{args.url}/api/0/query/", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            apps = json.load(response)[0]
    except urllib.error.HTTPError as error:
        raise SystemExit(json.load(error)["message"])
    for event in apps:
        minutes = event["duration"] / 60
        print(f"{minutes:7.1f} min  {event['data']['app']}")
    print(f"{sum(e['duration'] for e in apps) / 3600:7.2f} h    in total")


if __name__ == "__main__":
    main()
