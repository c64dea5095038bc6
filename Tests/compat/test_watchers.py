"""aw-server with its window and AFK watchers (the desktop plugin, loaded from beside the binary as
users get it) on a real X server (Xvfb + openbox, driven by xdotool), seen the way a user's tools
see it: through the Python aw-client and query2."""
import shutil
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from aw_client import ActivityWatchClient

from conftest import wait_for, ServerProcess, free_port

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("openbox") and shutil.which("xdotool")),
                                reason="needs Xvfb, openbox and xdotool (scripts/install-deps.sh test)")


class XServer:
    """Xvfb on a free display with openbox managing it."""

    def __init__(self):
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.display = ":" + self.xvfb.stdout.readline().decode().strip()
        self.children = [self.spawn(["openbox", "--sm-disable"])]
        wait_for(lambda: "window id" in self.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"]))

    def spawn(self, args):
        process = subprocess.Popen(args, env={"DISPLAY": self.display, "PATH": "/usr/bin:/bin"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return process

    def run(self, args) -> str:
        return subprocess.run(args, env={"DISPLAY": self.display, "PATH": "/usr/bin:/bin"}, capture_output=True,
                              text=True).stdout

    def open_window(self, title: str, app: str) -> str:
        self.children.append(self.spawn(["xterm", "-T", title, "-class", app]))
        window = wait_for(lambda: self.run(["xdotool", "search", "--onlyvisible", "--class", app]).split())[0]

        def active():
            # The window manager may refuse a window it has not managed yet: ask again until it is active.
            self.run(["xdotool", "windowactivate", "--sync", window])
            return self.run(["xdotool", "getactivewindow"]).strip() == window

        wait_for(active)
        return window

    def stop(self):
        for child in self.children + [self.xvfb]:
            child.kill()
            child.wait()


@pytest.fixture
def xserver():
    server = XServer()
    yield server
    server.stop()


def test_built_in_watchers_record_windows_and_afk(home, xserver):
    config = home / "config.toml"
    config.write_text("[watchers.window]\npoll_time = 0.5\n\n[watchers.afk]\ntimeout = 2\npoll_time = 0.5\n")
    xserver.open_window("compat — first window", "CompatFirst")
    server = ServerProcess(home, free_port(), display=xserver.display, config=config).start()
    try:
        with ActivityWatchClient("aw-compat-watchers", testing=True, port=server.port) as client:
            hostname = client.get_info()["hostname"]
            window_bucket, afk_bucket = f"aw-watcher-window_{hostname}", f"aw-watcher-afk_{hostname}"
            start = datetime.now(timezone.utc)
            xserver.run(["xdotool", "mousemove", "20", "20"])

            def titles():
                return {e.data.get("title") for e in client.get_events(window_bucket)} if window_bucket in client.get_buckets() else set()

            wait_for(lambda: "compat — first window" in titles())
            xserver.open_window("compat — second window", "CompatSecond")
            wait_for(lambda: "compat — second window" in titles())
            # Two seconds without input: away, backdated to the mouse move. (An X server idle since
            # before the server started is away from its first sample: that period does not count.)
            wait_for(lambda: any(e.data["status"] == "afk" and e.timestamp >= start
                                 for e in client.get_events(afk_bucket)))

            buckets = client.get_buckets()
            assert buckets[window_bucket]["type"] == "currentwindow"
            assert buckets[window_bucket]["client"] == "aw-watcher-window"
            assert buckets[afk_bucket]["type"] == "afkstatus"
            apps = [e.data["app"] for e in reversed(client.get_events(window_bucket))]
            assert apps[:2] == ["CompatFirst", "CompatSecond"]

            # The web UI's question: which windows while not AFK? The first window was active
            # (and we were not away) from the start, so it has time; nothing is negative.
            query = [f'afk = flood(query_bucket("{afk_bucket}"));',
                     f'afk = filter_keyvals(afk, "status", ["not-afk"]);',
                     f'events = flood(query_bucket("{window_bucket}"));',
                     'events = filter_period_intersect(events, afk);',
                     'RETURN = sort_by_duration(merge_events_by_keys(events, ["app"]));']
            end = datetime.now(timezone.utc) + timedelta(seconds=1)
            result = client.query("\n".join(query), [(start - timedelta(minutes=1), end)])[0]
            durations = {e["data"]["app"]: e["duration"] for e in result}
            assert durations.get("CompatFirst", 0) > 0
            assert all(d >= 0 for d in durations.values())
    finally:
        stopping = datetime.now(timezone.utc)
        assert server.stop() == 0, server.log.read_text()
    assert (datetime.now(timezone.utc) - stopping).total_seconds() < 5

    # After SIGTERM the last window event reaches the moment of shutdown: nothing was held back.
    reader = ServerProcess(home, free_port(), config=config).start()
    try:
        with ActivityWatchClient("aw-compat-reader", testing=True, port=reader.port) as client:
            last = client.get_events(window_bucket, limit=1)[0]
            assert last.data["app"] == "CompatSecond"
            # Start times come from the X server's millisecond clock mapped onto the wall clock,
            # so allow a few milliseconds; a held-back tail would be up to seconds short.
            assert last.timestamp + last.duration >= stopping - timedelta(milliseconds=50)
    finally:
        assert reader.stop() == 0


def test_stand_alone_watcher_keeps_switches_made_while_the_server_is_away(home, xserver):
    """`aw-server watch window` on its own reports over HTTP; a switch made while the server is
    down waits in its queue on disk and arrives when the server is back."""
    config = home / "config.toml"
    config.write_text("[watchers.window]\npoll_time = 0.5\n")
    xserver.open_window("alone — first", "AloneFirst")
    server = ServerProcess(home, free_port()).start()
    watcher_log = home / "watcher.log"

    def start_watcher():
        with open(watcher_log, "ab") as log:
            return subprocess.Popen(
                [ServerProcess.binary(), "watch", "window", "--testing", "--port", str(server.port), "--config",
                 str(config)], env={**server.env, "DISPLAY": xserver.display}, stdout=log, stderr=subprocess.STDOUT)

    def stop_watcher(process):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, watcher_log.read_text()

    watcher = start_watcher()
    try:
        with ActivityWatchClient("aw-compat-alone", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-window_{client.get_info()['hostname']}"

            def apps():
                return [e.data["app"] for e in reversed(client.get_events(bucket))] if bucket in client.get_buckets() else []

            try:
                wait_for(lambda: "AloneFirst" in apps())
            except AssertionError:
                raise AssertionError(watcher_log.read_text())
            assert client.get_buckets()[bucket]["client"] == "aw-watcher-window"
            assert server.stop() == 0
            xserver.open_window("alone — made while the server was away", "AloneOffline")
            time.sleep(2)
            # The watcher process ends and a new one starts while the server is still away: the
            # first one's heartbeats wait on disk and the second one sends them.
            stop_watcher(watcher)
            restarted = datetime.now(timezone.utc)
            watcher = start_watcher()
            time.sleep(2)
            server.start()
            wait_for(lambda: "AloneOffline" in apps(), timeout=30)
            assert apps()[:2] == ["AloneFirst", "AloneOffline"]
            events = client.get_events(bucket)
            assert "alone — made while the server was away" in {e.data["title"] for e in events}
            assert len({e.timestamp for e in events}) == len(events)  # nothing delivered twice
            offline = [e for e in events if e.data["app"] == "AloneOffline"]
            assert min(e.timestamp for e in offline) < restarted  # recorded by the first process
    finally:
        stop_watcher(watcher)
        server.stop()
    assert "not connected to the server" in watcher_log.read_text(), watcher_log.read_text()
