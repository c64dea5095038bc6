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
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ServerProcess, call, free_port, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from gnome_session import REQUIRED, GnomeSession  # noqa: E402

UUID = "aw-server-swift@activitywatch.net"


@pytest.fixture
def gnome():
    for program in REQUIRED:
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (Debian: gnome-shell weston)")
    session = GnomeSession(Path(tempfile.mkdtemp(prefix="aw-gnome-")))
    try:
        yield session
    finally:
        session.stop()


def aw_server(gnome: GnomeSession, *arguments: str) -> subprocess.CompletedProcess:
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
        gnome.activate("GNOME test window")

        def recorded():
            _, events = call(f"http://127.0.0.1:{port}/api/0/buckets/aw-watcher-window_{os.uname().nodename}/events")
            return any(event["data"]["title"] == "GNOME test window" for event in events or [])
        wait_for(recorded, timeout=40)
        assert f"window source gnome-shell-extension: GNOME Shell is on the session bus and its extension {UUID} answers" \
            in server_log.read_text()
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
