"""The built-in watchers in a Wayland session whose compositor offers none of the protocols they
need (weston, headless): the server keeps serving, each watcher says once why it cannot record,
and `aw-server sources` reports both as unavailable with the reason."""
import json
import os
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
        "wlr-foreign-toplevel", "kwin-script", "x11"]
    assert reports["afk"]["source"] is None and "wl_seat" in reports["afk"]["reason"]
    text = subprocess.run([ServerProcess.binary(), "sources", "--testing"], env=env, capture_output=True, text=True,
                          timeout=60).stdout
    assert "window: no source on this session" in text and "Desktops" in text
