"""The window and AFK watchers as a user starts them in a Wayland session. A compositor that offers
none of the protocols they need (weston, headless): the server keeps serving, each watcher says once
why it cannot record, and `aw-server sources` reports both as unavailable with the reason. KDE
Plasma's KWin, with only the environment a systemd user unit gets: the watchers find it."""
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ServerProcess, call, free_port, wait_for


@pytest.fixture
def weston():
    """A headless weston on a socket of its own; yields the session variables of a client."""
    if shutil.which("weston") is None:
        pytest.skip("weston is not installed (Debian: weston)")
    with tempfile.TemporaryDirectory(prefix="aw-weston-") as runtime:
        os.chmod(runtime, 0o700)
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime)
        process = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", "--socket=wl-test", "--idle-time=0"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: (Path(runtime) / "wl-test").exists(), timeout=20)
            yield {"XDG_RUNTIME_DIR": runtime, "WAYLAND_DISPLAY": "wl-test", "XDG_SESSION_TYPE": "wayland",
                   "DISPLAY": None, "XDG_CURRENT_DESKTOP": None}
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_server_keeps_serving_and_each_watcher_says_once_why_it_cannot_record(home, weston):
    server = ServerProcess(home, free_port(), session=weston).start()
    try:
        def logged():
            text = server.log.read_text()
            return "cannot watch the active window" in text and "cannot tell when you are away" in text
        wait_for(logged, timeout=20)
        time.sleep(4)  # several retries (1 s, 2 s, ...) later
        text = server.log.read_text()
        window = [line for line in text.splitlines() if "cannot watch the active window" in line]
        afk = [line for line in text.splitlines() if "cannot tell when you are away" in line]
        assert len(window) == 1 and "does not offer zwlr_foreign_toplevel_manager_v1" in window[0], window
        assert len(afk) == 1 and "no seat" in afk[0], afk
        status, info = call(f"{server.url}/api/0/info")
        assert status == 200 and info["testing"] is True
        assert server.process.poll() is None
    finally:
        assert server.stop() == 0


def test_sources_reports_no_source_with_the_reason_and_fails(home, weston):
    env = dict(ServerProcess(home, 0, session=weston).env)
    result = subprocess.run([ServerProcess.binary(), "sources", "--testing", "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    reports = {report["module"]: report for report in json.loads(result.stdout)}
    assert reports["window"]["source"] is None
    assert "zwlr_foreign_toplevel_manager_v1" in reports["window"]["reason"]
    assert [alternative["source"] for alternative in reports["window"]["not_taken"]] == [
        "wlr-foreign-toplevel", "kwin-script", "gnome-shell-extension", "x11"]
    assert reports["afk"]["source"] is None and "wl_seat" in reports["afk"]["reason"]
    text = subprocess.run([ServerProcess.binary(), "sources", "--testing"], env=env, capture_output=True, text=True,
                          timeout=60).stdout
    assert "window: no source on this session" in text and "Desktops" in text


@pytest.fixture
def kwin():
    """A headless KWin whose session bus is at $XDG_RUNTIME_DIR/bus, where systemd's user manager
    puts it, with one weston-terminal window titled "Unit test window"; yields the runtime folder.
    KWin runs from a copy, which drops the file capability some sandboxes refuse to exec."""
    for program in ("kwin_wayland", "dbus-daemon", "weston-terminal"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (Debian: kwin-wayland dbus weston)")
    with tempfile.TemporaryDirectory(prefix="aw-kwin-") as root:
        runtime = Path(root) / "run"
        runtime.mkdir(mode=0o700)
        shutil.copy(shutil.which("kwin_wayland"), Path(root) / "kwin_wayland")
        shell = Path(root) / "title.sh"
        shell.write_text("#!/bin/sh\nprintf '\\033]2;%s\\007' 'Unit test window'\nexec sleep 100000\n")
        shell.chmod(0o755)
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), DBUS_SESSION_BUS_ADDRESS=f"unix:path={runtime}/bus",
                   WAYLAND_DISPLAY="wl-kwin", QT_QPA_PLATFORM="offscreen", KWIN_WAYLAND_NO_PERMISSION_CHECKS="1")
        processes = []
        try:
            processes.append(subprocess.Popen(
                ["dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf",
                 f"--address=unix:path={runtime}/bus", "--nofork"],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_for(lambda: (runtime / "bus").exists(), timeout=20)
            processes.append(subprocess.Popen(
                [str(Path(root) / "kwin_wayland"), "--virtual", "--socket", "wl-kwin", "--no-lockscreen"],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

            def kwin_on_bus():
                return subprocess.run(
                    ["dbus-send", "--session", "--print-reply", "--dest=org.kde.KWin", "/Scripting",
                     "org.freedesktop.DBus.Peer.Ping"], env=env, capture_output=True).returncode == 0
            wait_for(lambda: (runtime / "wl-kwin").exists() and kwin_on_bus(), timeout=60)
            processes.append(subprocess.Popen(
                ["weston-terminal", f"--shell={shell}"],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            yield runtime
        finally:
            for process in reversed(processes):
                process.kill()
                process.wait(timeout=10)


def test_the_systemd_units_environment_is_enough_on_kde_plasma(home, kwin):
    """The unit `aw-server autostart install --systemd` writes gets only what the user manager has:
    no DBUS_SESSION_BUS_ADDRESS unless the desktop imported it, and the bus at $XDG_RUNTIME_DIR/bus.
    Started with that environment and the unit's own command line, the window watcher finds KWin
    there and records the active window."""
    config_env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
    port = free_port()
    result = subprocess.run(
        [ServerProcess.binary(), "autostart", "install", "--systemd", "--", "--testing", "--port", str(port),
         "--dbpath", str(home / "unit.db")], env=config_env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    unit = (home / "config" / "systemd" / "user" / "aw-server-swift.service").read_text().splitlines()
    command = shlex.split(next(line[len("ExecStart="):] for line in unit if line.startswith("ExecStart=")))
    # What a user manager hands a unit on Plasma: its own variables and the ones Plasma imports.
    unit_env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(kwin),
                "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
                "WAYLAND_DISPLAY": "wl-kwin", "XDG_CURRENT_DESKTOP": "KDE", "XDG_SESSION_TYPE": "wayland"}
    sources = subprocess.run([command[0], "sources", "--json"], env=unit_env, capture_output=True, text=True,
                             timeout=60)
    reports = {report["module"]: report for report in json.loads(sources.stdout)}
    assert reports["window"]["source"] == "kwin-script", reports["window"]
    assert reports["afk"]["source"] == "ext-idle-notify", reports["afk"]
    with open(home / "unit.log", "w") as log:
        process = subprocess.Popen(command, env=unit_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def recorded():
            try:
                _, buckets = call(f"http://127.0.0.1:{port}/api/0/buckets/")
                window = next((name for name in buckets if name.startswith("aw-watcher-window_")), None)
                _, events = call(f"http://127.0.0.1:{port}/api/0/buckets/{window}/events") if window else (0, [])
            except OSError:
                return False  # not listening yet
            return any(event["data"]["title"] == "Unit test window" for event in events)
        wait_for(recorded, timeout=30)
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0, (home / "unit.log").read_text()
