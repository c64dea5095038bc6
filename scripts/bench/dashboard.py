#!/usr/bin/env python3
"""How fast the dashboard's Activity view opens on a big database.

Stores N events (default 1,000,000: window events every 5 s going back ~55 days, AFK and
Firefox tab events alongside) in a release aw-server, then opens the day view of the last day
(17,280 window events that day) in headless Chromium, page load after page load, and prints the
time from navigation to the rendered view. The day view's queries (taken from the dashboard's own
queries.js in the browser) are also timed over HTTP against aw-server and, in the same run, the
reference Python aw-server 0.12.0 holding the same events.

Usage: scripts/release-build.sh aw-server && scripts/test.sh (once, for .venv-compat)
       .venv-compat/bin/python scripts/bench/dashboard.py [--events 1000000] [--loads 7] [--no-reference]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from local_port import free_port

ROOT = Path(__file__).resolve().parents[2]
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)
APPS = ["code", "firefox", "Slack", "xterm", "Thunderbird", "libreoffice", "gimp", "evince", "nautilus", "vlc",
        "spotify", "zoom"]


def export_document(count: int, host: str) -> dict:
    """`count` events ending at DAY 24:00: AFK status changing every 25/5 minutes, window events of
    5 s, and a tab event for Firefox windows while the total stays within `count`."""
    end = DAY + timedelta(days=1)
    first = end - timedelta(seconds=5 * int(count * 0.92))
    afk, moment, away = [], first, False
    while moment < end:
        length = timedelta(minutes=5 if away else 25)
        afk.append({"timestamp": moment.isoformat(), "duration": length.total_seconds(),
                    "data": {"status": "afk" if away else "not-afk"}})
        moment, away = moment + length, not away
    windows, tabs = [], []
    tab_budget = count - int(count * 0.92) - len(afk)
    for index in range(int(count * 0.92)):
        stamp = (first + timedelta(seconds=5 * index)).isoformat()
        app = APPS[(index // 7) % len(APPS)]
        windows.append({"timestamp": stamp, "duration": 5.0, "data": {"app": app, "title": f"{app} window {index % 400}"}})
        if app == "firefox" and len(tabs) < tab_budget:
            tabs.append({"timestamp": stamp, "duration": 5.0,
                         "data": {"url": f"https://site{index % 40}.example.com/page/{index % 1000}", "title": "page",
                                  "audible": False, "incognito": False}})

    def bucket(kind, type_, events):
        return f"{kind}_{host}", {"id": f"{kind}_{host}", "type": type_, "client": "bench", "hostname": host,
                                  "created": first.isoformat(), "events": events}
    return {"buckets": dict([bucket("aw-watcher-window", "currentwindow", windows),
                             bucket("aw-watcher-afk", "afkstatus", afk),
                             bucket("aw-watcher-web-firefox", "web.tab.current", tabs)])}


def post(url: str, body: bytes, timeout=1800):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def wait_until_up(url: str, process: subprocess.Popen):
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{url}: server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{url}/api/0/info", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def time_queries(url: str, periods: list[str], queries: list[str], reps: int) -> float:
    """Median wall time of running all the view's queries one after the other."""
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        for query in queries:
            post(f"{url}/api/0/query/", json.dumps({"timeperiods": periods, "query": [query]}).encode())
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=7, help="page loads of the day view")
    parser.add_argument("--binary", default=str(ROOT / ".build/release/aw-server"))
    parser.add_argument("--no-reference", action="store_true", help="skip the Python aw-server")
    args = parser.parse_args()
    host = "benchhost"
    with tempfile.TemporaryDirectory(prefix="aw-dashboard-bench-") as directory:
        home = Path(directory)
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
               "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"), "TZ": "UTC"}
        buckets = export_document(args.events, host)
        stored = sum(len(bucket["events"]) for bucket in buckets["buckets"].values())
        document = json.dumps(buckets).encode()
        del buckets
        port = free_port()
        server = subprocess.Popen([args.binary, "--testing", "--port", str(port), "--no-watchers", "--no-legacy-import",
                                   "--dbpath", str(home / "bench.db")], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        reference = None
        try:
            wait_until_up(url, server)
            began = time.perf_counter()
            post(f"{url}/api/0/import", document)
            print(f"aw-server-swift: imported {stored:,} events in {time.perf_counter() - began:.1f} s")

            options = Options()
            for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--window-size=1280,1000"]:
                options.add_argument(argument)
            browser = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver", env=env))
            try:
                loads = []
                for _ in range(args.loads):
                    browser.get("about:blank")
                    browser.get(f"{url}/#/activity?date={DAY.date().isoformat()}")
                    view = WebDriverWait(browser, 60).until(
                        lambda d: d.find_element(By.CSS_SELECTOR, ".view[data-state='ready'], .view[data-state='error']"))
                    assert view.get_attribute("data-state") == "ready", view.text
                    loads.append((float(view.get_attribute("data-ready-at")), float(view.get_attribute("data-render-ms"))))
                events_that_day = browser.find_element(By.ID, "active-time").text
                # The day view's queries, as the dashboard builds them.
                queries = browser.execute_async_script("""
                    const done = arguments[arguments.length - 1];
                    Promise.all([import('/queries.js'), import('/api.js')]).then(async ([q, a]) => {
                      const settings = await a.loadSettings();
                      const host = a.hostsOf(await a.api.buckets())[0];
                      const sources = {windowBucket: host.window, afkBucket: host.afk, browserBuckets: host.browsers,
                                       classes: settings.classes};
                      done([q.activityQuery(sources), q.dayStripQuery(sources)]);
                    });""")
            finally:
                browser.quit()
            page = sorted(total for total, _ in loads)
            view_ms = sorted(view for _, view in loads)
            print(f"day view with {stored:,} events stored (active time shown: {events_that_day}), {args.loads} page loads "
                  f"in headless Chromium:")
            print(f"  navigation to rendered view: median {statistics.median(page):.0f} ms, worst {page[-1]:.0f} ms")
            print(f"  of which the view's requests and drawing: median {statistics.median(view_ms):.0f} ms, "
                  f"worst {view_ms[-1]:.0f} ms")
            print(f"  aw-server RSS after the import over REST and the page loads: {rss_mib(server.pid):.1f} MiB")
            period = [f"{(DAY + timedelta(hours=4)).isoformat()}/{(DAY + timedelta(hours=28)).isoformat()}"]
            ours = time_queries(url, period, queries, 5)
            print(f"the day view's two queries over HTTP, median of 5: aw-server-swift {ours * 1000:.0f} ms")

            if not args.no_reference:
                python_server = Path(sys.executable).with_name("aw-server")
                ref_port = free_port()
                reference = subprocess.Popen([str(python_server), "--port", str(ref_port), "--storage", "peewee"],
                                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                ref_url = f"http://127.0.0.1:{ref_port}"
                wait_until_up(ref_url, reference)
                began = time.perf_counter()
                post(f"{ref_url}/api/0/import", document)
                print(f"Python aw-server 0.12.0: imported {stored:,} events in {time.perf_counter() - began:.1f} s")
                theirs = time_queries(ref_url, period, queries, 3)
                print(f"the same queries on the Python aw-server, median of 3: {theirs * 1000:.0f} ms "
                      f"({theirs / ours:.1f}x aw-server-swift's time)")
        finally:
            for process in (server, reference):
                if process and process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)


if __name__ == "__main__":
    main()
