#!/usr/bin/env python3
"""The built-in watchers over a scripted desktop session, on X11 (Xvfb + openbox) and on Wayland
(headless sway: the wlr-foreign-toplevel and kde-idle sources; headless KWin: the kwin-script and
ext-idle-notify sources; headless GNOME Shell: the gnome-shell-extension and mutter-idle-monitor
sources), one after the other in one run.

Two aw-server processes run side by side on the same display for the whole session: one with
the window and AFK watchers, one serving only (--no-watchers); the difference in CPU time is
what watching costs. The session switches the active window every few seconds and has one idle
period longer than the AFK timeout. Printed: CPU per hour and share of one core, RSS at the
start and end (growth), the share of scripted time recorded with the right app and title, and
the AFK edges' distance from the real last input. On GNOME a second shell without the
extension runs beside the first and is driven the same way: the difference between the two
shells' CPU and RSS is what the extension costs GNOME Shell.

Usage: scripts/release-build.sh aw-server aw-plugin-desktop && scripts/bench/watchers.py [--duration 600]
       [--switch 5] [--afk-timeout 180] [--binary .build/release/aw-server] [--desktop x11,sway,kwin,gnome|all]
(needs Xvfb, openbox, xterm, xdotool, sway, foot, kwin-wayland, dbus, weston and gnome-shell:
scripts/install-deps.sh test; sway and GNOME Shell run as the user nobody when started as root)
"""
import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests/fixtures"))
from gnome_session import GnomeSession  # noqa: E402
from local_port import free_port  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
WINDOWS = [("Editor", "main.swift — project ✓"), ("Browser", "ActivityWatch · café"), ("Terminal", "~/src: make")]


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_parts_mib(pid):
    """The resident memory's own (anonymous) part and the part mapped from the binary and libraries."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile", "RssShmem"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("RssAnon", 0.0), fields.get("RssFile", 0.0) + fields.get("RssShmem", 0.0)


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def covered(start, stop, intervals):
    """Seconds of [start, stop] inside the union of `intervals` (pairs of start and end)."""
    total, reached = 0.0, start
    for begin, end in sorted((max(start, b), min(stop, e)) for b, e in intervals):
        if end <= reached:
            continue
        total += end - max(begin, reached)
        reached = end
    return total


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Desktop:
    """Xvfb on a free display, openbox, and one xterm per scripted window."""

    def __init__(self):
        self.processes = []
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.processes.append(xvfb)
        self.display = ":" + xvfb.stdout.readline().decode().strip()
        self.env = dict(os.environ, DISPLAY=self.display, LC_ALL="C.UTF-8")
        self.spawn(["openbox", "--sm-disable"])
        time.sleep(1)
        self.windows = {}
        for app, title in WINDOWS:
            self.spawn(["xterm", "-u8", "-T", title, "-class", app])
            for _ in range(100):
                found = self.run(["xdotool", "search", "--class", app]).split()
                if found:
                    self.windows[app] = found[0]
                    break
                time.sleep(0.1)

    def spawn(self, args, **kwargs):
        process = subprocess.Popen(args, env=kwargs.pop("env", self.env), stdout=kwargs.pop("stdout", subprocess.DEVNULL),
                                   stderr=kwargs.pop("stderr", subprocess.DEVNULL), **kwargs)
        self.processes.append(process)
        return process

    def run(self, args):
        return subprocess.run(args, env=self.env, capture_output=True, text=True).stdout

    def activate(self, app):
        self.run(["xdotool", "windowactivate", "--sync", self.windows[app]])

    def recorded_app(self, app):
        """The app the window watcher should record for the scripted window `app`."""
        return app

    def input(self, step):
        self.run(["xdotool", "mousemove", str(100 + step % 50), "100"])

    def measure(self):
        """Figures of the desktop's own processes at this moment (CPU seconds, RSS), when it has some
        to report."""
        return None

    def report(self, start, end, seconds):
        """Lines about the desktop's own processes between two `measure()`s."""
        return []

    def stop(self):
        for process in reversed(self.processes):
            process.kill()
            process.wait()


class SwayDesktop(Desktop):
    """Headless sway (as nobody when run as root) and one foot terminal per scripted window."""

    def __init__(self):
        self.processes = []
        self.env = dict(os.environ)
        self.root = Path(tempfile.mkdtemp(prefix="aw-bench-sway."))
        runtime, home, config = self.root / "run", self.root / "home", self.root / "sway.conf"
        runtime.mkdir()
        home.mkdir()
        config.write_text("output HEADLESS-1 resolution 1280x720\n")
        if os.getuid() == 0:
            for path in (self.root, runtime, home, config):
                os.chown(path, 65534, 65534)
        os.chmod(runtime, 0o700)
        sway = ["sway", "-c", str(config)]
        if os.getuid() == 0:
            sway = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + sway
        self.spawn(["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", f"XDG_RUNTIME_DIR={runtime}", "WLR_BACKENDS=headless",
                    "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman", "WLR_HEADLESS_OUTPUTS=1"] + sway, env=os.environ)
        socket_path = runtime / "wayland-1"
        for _ in range(200):
            ipc = list(runtime.glob("sway-ipc.*.sock"))
            if socket_path.exists() and ipc:
                break
            time.sleep(0.05)
        else:
            sys.exit("sway did not start")
        self.env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), WAYLAND_DISPLAY=str(socket_path), SWAYSOCK=str(ipc[0]),
                        XDG_SESSION_TYPE="wayland", LC_ALL="C.UTF-8")
        self.env.pop("DISPLAY", None)
        for app, title in WINDOWS:
            self.run(["swaymsg", f"exec foot --app-id={app} --title='{title}' sleep 100000"])
            for _ in range(100):
                if f'"app_id": "{app}"' in self.run(["swaymsg", "-t", "get_tree"]):
                    break
                time.sleep(0.1)

    def activate(self, app):
        self.run(["swaymsg", f'[app_id="{app}"] focus'])

    def input(self, step):
        self.run(["swaymsg", f"seat seat0 cursor move {1 if step % 2 else -1} 1"])

    def stop(self):
        super().stop()
        subprocess.run(["rm", "-rf", str(self.root)])


class WaylandWire:
    """Just enough of the Wayland wire protocol to bind a global and send it requests: a client
    of the compositor's socket, without a Wayland library."""

    def __init__(self, path):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.connect(str(path))
        self.next_id = 2
        self.registry = self.new_id()
        self.send(1, 1, struct.pack("<I", self.registry))  # wl_display.get_registry
        self.globals = {}
        for sender, opcode, body in self.roundtrip():
            if sender == self.registry and opcode == 0:  # wl_registry.global(name, interface, version)
                name, length = struct.unpack_from("<II", body)
                self.globals[body[8:8 + length - 1].decode()] = name

    def new_id(self):
        self.next_id += 1
        return self.next_id - 1

    @staticmethod
    def string(text):
        data = text.encode() + b"\0"
        return struct.pack("<I", len(data)) + data + b"\0" * (-len(data) % 4)

    def send(self, target, opcode, payload=b""):
        self.socket.sendall(struct.pack("<II", target, (8 + len(payload)) << 16 | opcode) + payload)

    def roundtrip(self):
        """Waits until the compositor has handled every request sent; returns the events it sent."""
        callback = self.new_id()
        self.send(1, 0, struct.pack("<I", callback))  # wl_display.sync
        events, buffer = [], b""
        while True:
            buffer += self.socket.recv(65536)
            while len(buffer) >= 8:
                sender, word = struct.unpack_from("<II", buffer)
                size = word >> 16
                if len(buffer) < size:
                    break
                events.append((sender, word & 0xFFFF, buffer[8:size]))
                buffer = buffer[size:]
                if sender == callback:
                    return events

    def bind(self, interface, version):
        target = self.new_id()
        self.send(self.registry, 0, struct.pack("<I", self.globals[interface]) + self.string(interface)
                  + struct.pack("<II", version, target))
        return target


class KWinDesktop(Desktop):
    """Headless KWin 5 on a private session bus, one weston-terminal per scripted window. Windows
    are switched by a KWin script; input is a pointer move through KWin's fake-input protocol."""

    def __init__(self):
        self.processes = []
        self.root = Path(tempfile.mkdtemp(prefix="aw-bench-kwin."))
        runtime = self.root / "run"
        runtime.mkdir(mode=0o700)
        shutil.copy(shutil.which("kwin_wayland"), self.root / "kwin_wayland")  # a copy drops the file capability
        self.log = self.root / "kwin.log"
        self.scripts = 0
        self.env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), DBUS_SESSION_BUS_ADDRESS=f"unix:path={self.root}/bus",
                        WAYLAND_DISPLAY="wl-kwin", XDG_SESSION_TYPE="wayland", XDG_CURRENT_DESKTOP="KDE", LC_ALL="C.UTF-8")
        self.env.pop("DISPLAY", None)
        self.spawn(["dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf",
                    f"--address={self.env['DBUS_SESSION_BUS_ADDRESS']}", "--nofork"])
        self.spawn([str(self.root / "kwin_wayland"), "--virtual", "--socket", "wl-kwin", "--no-lockscreen"],
                   env=dict(self.env, QT_QPA_PLATFORM="offscreen", KWIN_WAYLAND_NO_PERMISSION_CHECKS="1"),
                   stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        for _ in range(600):
            if (runtime / "wl-kwin").exists() and subprocess.run(
                    ["dbus-send", "--session", "--print-reply", "--dest=org.kde.KWin", "/Scripting",
                     "org.freedesktop.DBus.Peer.Ping"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            sys.exit("kwin_wayland did not start")
        self.titles = dict(WINDOWS)
        for app, title in WINDOWS:
            shell = self.root / f"{app}.sh"
            shell.write_text(f"#!/bin/sh\nprintf '\\033]2;%s\\007' '{title}'\nexec sleep 100000\n")
            shell.chmod(0o755)
            self.spawn(["weston-terminal", f"--shell={shell}"], stdin=subprocess.DEVNULL)
            for _ in range(300):
                if title in self.script("workspace.clientList().forEach(function (c) { emit(c.caption); });"):
                    break
                time.sleep(0.1)
        self.wire = WaylandWire(runtime / "wl-kwin")
        self.fake_input = self.wire.bind("org_kde_kwin_fake_input", 1)
        self.wire.send(self.fake_input, 0, self.wire.string("aw-bench") + self.wire.string("scripted input"))

    def recorded_app(self, app):
        return "org.freedesktop.weston.wayland-terminal"

    def script(self, body):
        """Runs `body` as a KWin script and returns what it passed to emit(), once it has run."""
        self.scripts += 1
        marker = f"aw-bench-{self.scripts}"
        path = self.root / f"{marker}.js"
        path.write_text(f'(function () {{ function emit(text) {{ print("{marker} " + text); }}\n{body}\n'
                        f'print("{marker} end"); }})();\n')
        scripting = ["dbus-send", "--session", "--print-reply", "--dest=org.kde.KWin", "/Scripting"]
        self.run(scripting + ["org.kde.kwin.Scripting.loadScript", f"string:{path}", f"string:{marker}"])
        self.run(scripting + ["org.kde.kwin.Scripting.start"])
        prefix = f"js: {marker} "
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                lines = [line[len(prefix):] for line in self.log.read_text(errors="replace").splitlines()
                         if line.startswith(prefix)]
                if lines and lines[-1] == "end":
                    return lines[:-1]
                time.sleep(0.01)
            sys.exit(f"KWin did not run {path}")
        finally:
            self.run(scripting + ["org.kde.kwin.Scripting.unloadScript", f"string:{marker}"])

    def activate(self, app):
        self.script(f"workspace.clientList().forEach(function (c) {{ "
                    f"if (c.caption === {json.dumps(self.titles[app])}) workspace.activeClient = c; }});")

    def input(self, step):
        self.wire.send(self.fake_input, 1, struct.pack("<ii", (1 if step % 2 else -1) * 256, 256))  # pointer_motion
        self.wire.roundtrip()

    def stop(self):
        super().stop()
        shutil.rmtree(self.root, ignore_errors=True)


class GnomeDesktop(Desktop):
    """Headless GNOME Shell 43 (as nobody when run as root) with the project's extension, installed
    by `aw-server gnome-extension install` of the binary under test, and one weston-terminal per
    scripted window; beside it a twin shell without the extension, driven the same way. Windows are
    switched through the test helper extension; input is the idle monitor's test hook."""
    binary = ".build/release/aw-server"

    def __init__(self):
        self.processes = []
        self.sessions = []
        for extension in (True, False):
            gnome = GnomeSession(Path(tempfile.mkdtemp(prefix="aw-bench-gnome.")))
            self.sessions.append(gnome)
            if extension:
                installed = gnome.run([str(Path(self.binary).resolve()), "gnome-extension", "install"])
                if installed.returncode != 0:
                    sys.exit(f"gnome-extension install failed: {installed.stdout}{installed.stderr}")
            gnome.login()
            for _, title in WINDOWS:
                gnome.open_window(title)
        self.titles = dict(WINDOWS)
        self.env = dict(os.environ, **self.sessions[0].env)
        self.env.pop("DISPLAY", None)

    def recorded_app(self, app):
        return "org.freedesktop.weston.wayland-terminal"

    def activate(self, app):
        for gnome in self.sessions:
            gnome.activate(self.titles[app])

    def input(self, step):
        for gnome in self.sessions:
            gnome.reset_idle_time()

    def measure(self):
        return [(cpu_seconds(gnome.shell.pid), rss_mib(gnome.shell.pid)) for gnome in self.sessions]

    def report(self, start, end, seconds):
        (cpu_with, rss_with), (cpu_without, rss_without) = [
            ((after[0] - before[0]) * 3600 / seconds, after[1]) for before, after in zip(start, end)]
        return [f"GNOME Shell with the extension:    CPU {cpu_with:.2f} s/hour, RSS {rss_with:.1f} MiB at end",
                f"GNOME Shell without (the twin):    CPU {cpu_without:.2f} s/hour, RSS {rss_without:.1f} MiB at end",
                f"what the extension adds to GNOME Shell: CPU {cpu_with - cpu_without:+.2f} s/hour, "
                f"RSS {rss_with - rss_without:+.1f} MiB (two shells, same script: the difference includes "
                f"their own variation)"]

    def stop(self):
        for gnome in self.sessions:
            gnome.stop()


def start_server(desktop, binary, home, config, watchers, plugin=None):
    port = free_port()
    if plugin:
        folder = home / "data/activitywatch/aw-server-swift/plugins"
        folder.mkdir(parents=True)
        shutil.copy(plugin, folder)
    env = dict(desktop.env, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"))
    args = [binary, "--port", str(port), "--config", str(config)] + ([] if watchers else ["--no-watchers"])
    process = desktop.spawn(args, env=env, stdout=open(home / "server.log", "wb"))
    url = f"http://127.0.0.1:{port}/api/0"
    for _ in range(200):
        try:
            info = get(f"{url}/info")
            return process, url, info["hostname"]
        except OSError:
            time.sleep(0.05)
    sys.exit(f"aw-server did not start; see {home / 'server.log'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/aw-server", help="the aw-server to run (default: the release build)")
    parser.add_argument("--duration", type=float, default=600, help="seconds of scripted session (default 600)")
    parser.add_argument("--switch", type=float, default=5, help="seconds between window switches (default 5)")
    parser.add_argument("--afk-timeout", type=float, default=180, help="the AFK watcher's timeout (default 180)")
    parser.add_argument("--desktop", default="all",
                        help="where to run the session: x11, sway, kwin, gnome, several separated by commas, or all "
                             "one after the other (default)")
    parser.add_argument("--compare-binary", help="another aw-server (an earlier build, say) to run with its watchers "
                        "beside the first, on the same session; its CPU and RSS are printed too")
    parser.add_argument("--plus-plugin", help="a plugin file to run, with the desktop plugin, in one more aw-server "
                        "beside the first; its CPU and RSS show what one more plugin costs")
    parser.add_argument("--plus-config", default="", help="config.toml lines for --plus-plugin (enable its module)")
    args = parser.parse_args()
    desktops = {
        "x11": ("X11 (Xvfb + openbox): x11 sources", Desktop),
        "sway": ("Wayland (headless sway 1.7): wlr-foreign-toplevel and kde-idle sources", SwayDesktop),
        "kwin": ("Wayland (headless KWin 5.27): kwin-script and ext-idle-notify sources", KWinDesktop),
        "gnome": ("Wayland (headless GNOME Shell 43): gnome-shell-extension and mutter-idle-monitor sources",
                  GnomeDesktop),
    }
    chosen = list(desktops) if args.desktop == "all" else args.desktop.split(",")
    if unknown := [kind for kind in chosen if kind not in desktops]:
        parser.error(f"unknown desktop {', '.join(unknown)}: choose from {', '.join(desktops)} or all")
    GnomeDesktop.binary = args.binary
    for number, kind in enumerate(chosen):
        if number:
            print()
        title, desktop = desktops[kind]
        print(f"== {title}")
        session(started(desktop), args)


def started(kind):
    """A desktop of class `kind`, started; what it started is stopped again when starting fails."""
    desktop = kind.__new__(kind)
    desktop.processes = []
    try:
        desktop.__init__()
    except BaseException:
        desktop.stop()
        raise
    return desktop


def session(desktop, args):
    """Runs the scripted session on `desktop` and prints its figures."""
    work = Path(tempfile.mkdtemp(prefix="aw-bench-watchers."))
    config = work / "config.toml"
    config.write_text(f"[watchers.afk]\ntimeout = {args.afk_timeout}\n")
    try:
        (work / "watching").mkdir()
        (work / "serving").mkdir()
        watching, url, hostname = start_server(desktop, args.binary, work / "watching", config, watchers=True)
        # The server alone runs from a copy of the binary: two processes of one file share its pages,
        # and a build that hands back what starting used through madvise(MADV_PAGEOUT) (--binary may
        # be an earlier one) gets no shared page reclaimed (a desktop runs one aw-server).
        alone = work / "aw-server-alone"
        shutil.copy2(args.binary, alone)
        serving, _, _ = start_server(desktop, str(alone), work / "serving", config, watchers=False)
        others = {}  # label: process, for --compare-binary and --plus-plugin
        if (args.compare_binary or args.plus_plugin) and isinstance(desktop, (KWinDesktop, GnomeDesktop)):
            # Servers with watchers on one KWin take turns at its one script name; an earlier build may
            # not know GNOME.
            print("(--compare-binary and --plus-plugin are run on X11 and sway only)")
        elif args.compare_binary:
            (work / "compared").mkdir()
            others[f"{args.compare_binary} with watchers"] = start_server(
                desktop, args.compare_binary, work / "compared", config, watchers=True)[0]
        if args.plus_plugin and not isinstance(desktop, (KWinDesktop, GnomeDesktop)):
            (work / "plus").mkdir()
            plus_config = work / "plus.toml"
            plus_config.write_text(config.read_text() + args.plus_config + "\n")
            others[f"with watchers and {Path(args.plus_plugin).name}"] = start_server(
                desktop, args.binary, work / "plus", plus_config, watchers=True, plugin=args.plus_plugin)[0]
        processes = (watching, serving, *others.values())
        time.sleep(3)  # start-up is not steady state
        cpu0 = {p.pid: cpu_seconds(p.pid) for p in processes}
        rss0 = {p.pid: rss_mib(p.pid) for p in processes}
        desktop0 = desktop.measure()

        # The script: a switch every `switch` seconds; an input every 10 s, except for one idle
        # stretch of timeout + 20 s in the middle.
        idle_from = max(0.0, args.duration / 2 - (args.afk_timeout + 20) / 2)
        idle_until = idle_from + args.afk_timeout + 20
        if idle_until >= args.duration:
            sys.exit(f"--duration must be longer than the idle stretch (afk timeout + 20 s = {idle_until - idle_from:g} s)")
        schedule = [(k * args.switch, "switch") for k in range(int(args.duration / args.switch))]
        schedule += [(t, "input") for t in range(0, int(args.duration), 10) if not idle_from <= t < idle_until]
        schedule.append((idle_until, "input"))
        segments, inputs = [], []
        warm_up = min(60.0, args.duration / 4)  # RSS growth is measured from here
        warm_rss = None
        begin = time.monotonic()
        for offset, action in sorted(schedule):
            time.sleep(max(0.0, begin + offset - time.monotonic()))
            if warm_rss is None and offset >= warm_up:
                warm_rss = {p.pid: rss_mib(p.pid) for p in processes}
            if action == "switch":
                app = WINDOWS[len(segments) % len(WINDOWS)][0]
                before = time.time()
                desktop.activate(app)
                segments.append((before, time.time(), app))
            else:
                desktop.input(len(inputs))
                inputs.append((offset, time.time()))
        time.sleep(max(0.0, begin + args.duration - time.monotonic()))
        end = time.time()
        cpu1 = {p.pid: cpu_seconds(p.pid) for p in processes}
        rss1 = {p.pid: rss_mib(p.pid) for p in processes}
        desktop1 = desktop.measure()
        anonymous, mapped = rss_parts_mib(watching.pid)
        seconds = args.duration

        time.sleep(2)
        windows = get(f"{url}/buckets/aw-watcher-window_{hostname}/events?limit=-1")
        afk = sorted(get(f"{url}/buckets/aw-watcher-afk_{hostname}/events?limit=-1"), key=lambda e: e["timestamp"])
        if os.environ.get("BENCH_DEBUG"):
            print(json.dumps(afk, indent=0), [(o, datetime.fromtimestamp(t, timezone.utc).isoformat()) for o, t in inputs])
            print(json.dumps(sorted(windows, key=lambda e: e["timestamp"]), ensure_ascii=False), [(datetime.fromtimestamp(t, timezone.utc).isoformat(), a) for _, t, a in segments])
        # Each window was surely active from when its switch returned until the next switch began
        # (xdotool's own run time in between, some 10-60 ms, is the script's uncertainty).
        # The share is the time of each segment covered by the union of the events with its app
        # and title: a second covered by two events counts once, so it never exceeds 100%.
        titles = dict(WINDOWS)
        right = scripted = 0.0
        for (_, start, app), (stop, _, _) in zip(segments, segments[1:] + [(end, end, None)]):
            scripted += stop - start
            matching = [(parse_time(e["timestamp"]), parse_time(e["timestamp"]) + e["duration"]) for e in windows
                        if e["data"].get("app") == desktop.recorded_app(app) and e["data"].get("title") == titles[app]]
            right += covered(start, stop, matching)

        watch_cpu = cpu1[watching.pid] - cpu0[watching.pid]
        serve_cpu = cpu1[serving.pid] - cpu0[serving.pid]
        per_hour = lambda cpu: cpu * 3600 / seconds
        print(f"scripted session: {seconds:.0f} s, a window switch every {args.switch:g} s, "
              f"{len(inputs)} inputs, AFK timeout {args.afk_timeout:g} s")
        print(f"CPU, server with watchers:  {watch_cpu:.2f} s = {per_hour(watch_cpu):.2f} s/hour "
              f"({100 * watch_cpu / seconds:.3f}% of one core)")
        print(f"CPU, server alone:          {serve_cpu:.2f} s = {per_hour(serve_cpu):.2f} s/hour")
        print(f"CPU, the watchers' share:   {per_hour(watch_cpu - serve_cpu):.2f} s/hour "
              f"({100 * (watch_cpu - serve_cpu) / seconds:.3f}% of one core)")
        print(f"RSS, server with watchers:  {rss0[watching.pid]:.1f} MiB at start, {warm_rss[watching.pid]:.1f} MiB after "
              f"{warm_up:.0f} s, {rss1[watching.pid]:.1f} MiB at end (growth {rss1[watching.pid] - warm_rss[watching.pid]:+.1f} MiB)")
        print(f"  of which its own memory:  {anonymous:.1f} MiB; code and data mapped from the binary and shared "
              f"libraries: {mapped:.1f} MiB")
        print(f"RSS, server alone:          {rss0[serving.pid]:.1f} MiB at start, {warm_rss[serving.pid]:.1f} MiB after "
              f"{warm_up:.0f} s, {rss1[serving.pid]:.1f} MiB at end")
        for label, process in others.items():
            cpu = cpu1[process.pid] - cpu0[process.pid]
            print(f"beside it, {label}: CPU {cpu:.2f} s = {per_hour(cpu):.2f} s/hour; RSS "
                  f"{rss0[process.pid]:.1f} MiB at start, {rss1[process.pid]:.1f} MiB at end "
                  f"({rss1[process.pid] - rss1[watching.pid]:+.1f} MiB against the first)")
        print(f"recorded with the right app and title: {100 * right / scripted:.2f}% of {scripted:.0f} s scripted "
              f"({len(segments)} windows), "
              f"{len(windows)} window events")
        gone = max((t for offset, t in inputs if offset < idle_until), default=None)
        back = min((t for offset, t in inputs if offset >= idle_until), default=None)
        away = [e for e in afk if e["data"]["status"] == "afk"]
        if gone and back and away:
            event = min(away, key=lambda e: abs(parse_time(e["timestamp"]) - gone))
            start = parse_time(event["timestamp"])
            print(f"AFK edges vs the real input: away from {start - gone:+.3f} s, back at {start + event['duration'] - back:+.3f} s "
                  f"(the edges of {len(away)} away period(s))")
        else:
            print("AFK: no away period recorded (is the session shorter than the timeout?)")
        for line in desktop.report(desktop0, desktop1, seconds) if desktop0 else []:
            print(line)
    finally:
        desktop.stop()


if __name__ == "__main__":
    main()
