"""A day of generated desktop activity (window, AFK and browser events) as an ActivityWatch export
document, for the dashboard tests and benchmark."""
import random
from datetime import datetime, timedelta, timezone

# (app, title, url of the active tab when the app is a browser)
WINDOWS = [
    ("code", "main.swift - aw-server-swift - Visual Studio Code", None),
    ("code", "README.md - aw-server-swift - Visual Studio Code", None),
    ("firefox", "Pull requests · GitHub — Mozilla Firefox", "https://github.com/pulls"),
    ("firefox", "Issue #12 · GitHub — Mozilla Firefox", "https://github.com/team/project/issues/12"),
    ("firefox", "Lofi beats - YouTube — Mozilla Firefox", "https://www.youtube.com/watch?v=abc"),
    ("firefox", "swift - How do I? - Stack Overflow — Mozilla Firefox", "https://stackoverflow.com/questions/1"),
    ("Slack", "general | Team - Slack", None),
    ("Thunderbird", "Inbox - Thunderbird", None),
    ("libreoffice", "Quarterly report.odt - LibreOffice Writer", None),
    ("xterm", "bash: ~/src", None),
]

# Away from 12:00 to 13:00 and from 17:30 to 18:00.
AWAY = [((12, 0), (13, 0)), ((17, 30), (18, 0))]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def day_of_activity(host: str, day: datetime, seed: int = 7, first_hour: int = 6, last_hour: int = 20) -> dict:
    """An export document ({"buckets": {...}}) with the window, AFK and Firefox buckets of `host`
    for `day` (a UTC midnight) from `first_hour` to `last_hour`."""
    rng = random.Random(seed)
    start = day + timedelta(hours=first_hour)
    end = day + timedelta(hours=last_hour)
    window, web = [], []
    moment = start
    while moment < end:
        app, title, url = rng.choice(WINDOWS)
        length = min(rng.uniform(20, 900), (end - moment).total_seconds())
        window.append({"timestamp": _iso(moment), "duration": round(length, 3), "data": {"app": app, "title": title}})
        if url:
            web.append({"timestamp": _iso(moment), "duration": round(length, 3),
                        "data": {"url": url, "title": title.split(" — ")[0], "audible": False, "incognito": False,
                                 "tabCount": 4}})
        moment += timedelta(seconds=length)
    afk = []
    edges = [start]
    for (from_hour, from_minute), (to_hour, to_minute) in AWAY:
        edges += [day + timedelta(hours=from_hour, minutes=from_minute), day + timedelta(hours=to_hour, minutes=to_minute)]
    edges.append(end)
    for index in range(len(edges) - 1):
        status = "not-afk" if index % 2 == 0 else "afk"
        afk.append({"timestamp": _iso(edges[index]), "duration": (edges[index + 1] - edges[index]).total_seconds(),
                    "data": {"status": status}})

    def bucket(kind: str, type_: str, client: str, events: list) -> tuple:
        bucket_id = f"{kind}_{host}"
        return bucket_id, {"id": bucket_id, "type": type_, "client": client, "hostname": host,
                           "created": _iso(start), "events": events}

    return {"buckets": dict([
        bucket("aw-watcher-window", "currentwindow", "aw-watcher-window", window),
        bucket("aw-watcher-afk", "afkstatus", "aw-watcher-afk", afk),
        bucket("aw-watcher-web-firefox", "web.tab.current", "aw-client-web", web),
    ])}
