"""GNOME on Wayland as a user meets it: headless GNOME Shell 43 run as an unprivileged user with its
own session bus (and a private system bus, without which the shell aborts). The user runs
`aw-server` in the session, learns from it that the window watcher needs the Shell extension,
installs it with `aw-server gnome-extension install`, logs in again (the shell restarted on the same
bus), and the server, never restarted, records the focused window; `status` and `uninstall` say and
do what they promise."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ServerProcess, call, free_port, wait_for

UUID = "aw-server-swift@activitywatch.net"
NOBODY = 65534


class GnomeDesktop:
    """A headless GNOME Shell session of the user `nobody` (or of this user when not root)."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        self.runtime = root / "run"
        self.bus = f"unix:path={root}/bus"
        self.system_bus = f"unix:path={root}/system-bus"
        self.processes: list[subprocess.Popen] = []
        self.shell: subprocess.Popen | None = None
        self.logins = 0
        self.home.mkdir()
        self.runtime.mkdir(mode=0o700)
        config = root / "bus.conf"
        config.write_text(
            '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"\n'
            ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
            "<busconfig><include>/usr/share/dbus-1/session.conf</include>"
            '<policy context="default"><allow user="*"/></policy></busconfig>\n')
        if os.getuid() == 0:
            for path in (root, self.home, self.runtime, config):
                os.chown(path, NOBODY, NOBODY)
        for address in (self.system_bus, self.bus):
            self.processes.append(self.popen(
                ["dbus-daemon", f"--config-file={config}", f"--address={address}", "--nofork"]))
        wait_for(lambda: self.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
                                   "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ListNames"]).returncode == 0)

    @property
    def env(self) -> dict:
        """What a program of the user's session has."""
        return {"PATH": "/usr/bin:/bin", "HOME": str(self.home), "XDG_RUNTIME_DIR": str(self.runtime),
                "DBUS_SESSION_BUS_ADDRESS": self.bus, "DBUS_SYSTEM_BUS_ADDRESS": self.system_bus,
                "XDG_CURRENT_DESKTOP": "GNOME", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wl-gnome",
                "XDG_CONFIG_HOME": str(self.home / ".config"), "XDG_DATA_HOME": str(self.home / ".local/share")}

    def command(self, arguments: list[str], **extra) -> list[str]:
        variables = [f"{key}={value}" for key, value in {**self.env, **extra}.items()]
        user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if os.getuid() == 0 else []
        return user + ["env", "-i"] + variables + arguments

    def popen(self, arguments: list[str], log: Path | None = None, **extra) -> subprocess.Popen:
        output = open(log, "ab") if log else subprocess.DEVNULL
        return subprocess.Popen(self.command(arguments, **extra), stdin=subprocess.DEVNULL, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def run(self, arguments: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(arguments), capture_output=True, text=True, timeout=timeout)

    def gdbus(self, destination: str, path: str, method: str, *arguments: str) -> subprocess.CompletedProcess:
        return self.run(["gdbus", "call", "--session", "--timeout", "5", "--dest", destination, "--object-path", path,
                         "--method", method, *arguments])

    def login(self):
        """Starts GNOME Shell (again: what logging in does) and waits until it is up with its
        start-up Overview closed."""
        if self.shell:
            os.killpg(self.shell.pid, signal.SIGKILL)  # it segfaults on SIGTERM anyway
            self.shell.wait(timeout=20)
        for leftover in ("wl-gnome", "wl-gnome.lock"):
            (self.runtime / leftover).unlink(missing_ok=True)
        self.logins += 1
        self.shell = self.popen(
            ["gnome-shell", "--headless", "--wayland", "--no-x11", "--virtual-monitor", "1280x720",
             "--wayland-display", "wl-gnome"], log=self.root / f"shell-{self.logins}.log")

        def overview_closed_for_a_second():
            shown = self.gdbus("org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties.Get",
                               "org.gnome.Shell", "OverviewActive")
            if shown.returncode != 0:
                return False
            if "true" in shown.stdout:
                self.gdbus("org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties.Set",
                           "org.gnome.Shell", "OverviewActive", "<false>")
                return False
            time.sleep(1)
            return "false" in self.gdbus("org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties.Get",
                                         "org.gnome.Shell", "OverviewActive").stdout
        wait_for(overview_closed_for_a_second, timeout=60)

    def open_window(self, title: str):
        script = self.root / f"window-{len(self.processes)}.sh"
        script.write_text(f"#!/bin/sh\nprintf '\\033]2;%s\\007' '{title}'\nexec sleep 100000\n")
        script.chmod(0o755)
        self.processes.append(self.popen(["weston-terminal", f"--shell={script}"]))

    def stop(self):
        for process in ([self.shell] if self.shell else []) + self.processes[::-1]:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=20)
        # What left the process groups (ibus-daemon makes its own): this session's bus in its environment.
        marker = f"DBUS_SESSION_BUS_ADDRESS={self.bus}\0".encode()
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and marker in (entry / "environ").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, PermissionError):
                pass


@pytest.fixture
def gnome():
    for program in ("gnome-shell", "dbus-daemon", "gdbus", "gsettings", "weston-terminal"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (Debian: gnome-shell weston)")
    root = Path(tempfile.mkdtemp(prefix="aw-gnome-"))
    os.chmod(root, 0o755)
    desktop = GnomeDesktop(root)
    try:
        yield desktop
    finally:
        desktop.stop()
        shutil.rmtree(root, ignore_errors=True)


def aw_server(gnome: GnomeDesktop, *arguments: str) -> subprocess.CompletedProcess:
    return gnome.run([ServerProcess.binary(), *arguments])


def test_install_the_extension_log_in_again_and_the_running_server_records_the_window(gnome):
    gnome.login()
    missing = aw_server(gnome, "gnome-extension", "status")
    assert missing.returncode == 1 and "installed: no" in missing.stdout, missing.stdout + missing.stderr

    sources = aw_server(gnome, "sources", "--testing", "--json")
    reports = {report["module"]: report for report in json.loads(sources.stdout)}
    assert reports["window"]["source"] is None
    assert "aw-server gnome-extension install" in reports["window"]["reason"], reports["window"]
    assert reports["afk"]["source"] == "mutter-idle-monitor", reports["afk"]

    port = free_port()
    server_log = gnome.root / "server.log"
    server = gnome.popen([ServerProcess.binary(), "--testing", "--port", str(port)], log=server_log)
    try:
        wait_for(lambda: "cannot watch the active window yet" in server_log.read_text(), timeout=30)
        assert "aw-server gnome-extension install" in server_log.read_text()

        installed = aw_server(gnome, "gnome-extension", "install")
        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert "log out and back in" in installed.stdout, installed.stdout
        folder = gnome.home / ".local/share/gnome-shell/extensions" / UUID
        assert (folder / "metadata.json").exists() and "imports.gi" in (folder / "extension.js").read_text()
        assert UUID in gnome.run(["gsettings", "get", "org.gnome.shell", "enabled-extensions"]).stdout
        not_loaded = aw_server(gnome, "gnome-extension", "status")
        assert not_loaded.returncode == 1 and "has not loaded the extension" in not_loaded.stdout, not_loaded.stdout

        gnome.login()  # the next login loads the extension; the server keeps running
        gnome.open_window("GNOME test window")

        def recorded():
            _, events = call(f"http://127.0.0.1:{port}/api/0/buckets/aw-watcher-window_{os.uname().nodename}/events")
            return any(event["data"]["title"] == "GNOME test window" for event in events or [])
        wait_for(recorded, timeout=40)
        assert "the GNOME Shell extension answers; recording the active window" in server_log.read_text()
        status = aw_server(gnome, "gnome-extension", "status")
        assert status.returncode == 0, status.stdout
        assert "runs the extension" in status.stdout and "answering: yes" in status.stdout, status.stdout

        removed = aw_server(gnome, "gnome-extension", "uninstall")
        assert removed.returncode == 0 and f"removed {folder}" in removed.stdout, removed.stdout + removed.stderr
        assert not folder.exists()
        assert UUID not in gnome.run(["gsettings", "get", "org.gnome.shell", "enabled-extensions"]).stdout
        gone = aw_server(gnome, "gnome-extension", "status")
        assert gone.returncode == 1 and "installed: no" in gone.stdout, gone.stdout
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, server_log.read_text()


def test_install_refuses_a_gnome_version_the_extension_does_not_list_unless_asked(gnome):
    refused = aw_server(gnome, "gnome-extension", "install", "--shell-version", "99")
    assert refused.returncode != 0 and "--list-version" in refused.stderr, refused.stdout + refused.stderr
    folder = gnome.home / ".local/share/gnome-shell/extensions" / UUID
    assert not folder.exists()
    listed = aw_server(gnome, "gnome-extension", "install", "--shell-version", "99", "--list-version")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    metadata = json.loads((folder / "metadata.json").read_text())
    assert "99" in metadata["shell-version"] and "43" in metadata["shell-version"]
    assert "export default class" in (folder / "extension.js").read_text()  # the GNOME 45+ entry point


def test_the_module_entry_point_for_gnome_45_and_later_parses(gnome, tmp_path):
    """GNOME 45+ is not installed here: gjs at least parses its entry point as an ES module (it then
    fails only to find the shell's own modules, which exist inside GNOME Shell alone)."""
    installed = aw_server(gnome, "gnome-extension", "install", "--shell-version", "47")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    script = gnome.home / ".local/share/gnome-shell/extensions" / UUID / "extension.js"
    copy = tmp_path / "extension.js"
    copy.write_text(script.read_text())
    result = subprocess.run(["gjs", "-m", str(copy)], capture_output=True, text=True, timeout=60)
    assert "SyntaxError" not in result.stderr, result.stderr
    assert "resource:///org/gnome/shell" in result.stderr or "Shell" in result.stderr, result.stderr
