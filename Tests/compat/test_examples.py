"""The examples run as the README shows them, against a live aw-server."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event

from conftest import wait_for, SERVER_BINARY, ServerProcess, free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_stand_alone_load_watcher(server):
    binary = str(Path(SERVER_BINARY).with_name("aw-watcher-load"))
    watcher = subprocess.Popen([binary, "--testing", "--port", str(server.port), "--poll-time", "0.2"], env=server.env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with ActivityWatchClient("aw-compat-load", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-load_{client.get_info()['hostname']}"
            wait_for(lambda: bucket in client.get_buckets() and client.get_events(bucket))
            assert client.get_events(bucket)[0].data["state"] in {"idle", "busy", "overloaded"}
    finally:
        watcher.send_signal(signal.SIGTERM)
        output = watcher.communicate(timeout=15)[0].decode()
    assert watcher.returncode == 0, output
    assert "reporting to" in output


def test_rest_scripts(server):
    curl = subprocess.run([str(EXAMPLES / "rest/curl.sh"), server.url], capture_output=True, text=True, timeout=60)
    assert curl.returncode == 0, curl.stderr
    result = json.loads(curl.stdout.strip().splitlines()[-1])
    assert result[0][0]["data"] == {"label": "reading"} and result[0][0]["duration"] == pytest.approx(5, abs=1)

    with ActivityWatchClient("aw-compat-examples", testing=True, port=server.port) as client:
        hostname = client.get_info()["hostname"]
        now = time.time()
        start = datetime.fromtimestamp(now - 600, timezone.utc)
        window, afk = f"aw-watcher-window_{hostname}", f"aw-watcher-afk_{hostname}"
        client.create_bucket(window, "currentwindow")
        client.create_bucket(afk, "afkstatus")
        client.insert_events(window, [Event(timestamp=start, duration=300, data={"app": "Editor", "title": "a"}),
                                      Event(timestamp=datetime.fromtimestamp(now - 300, timezone.utc), duration=200,
                                            data={"app": "Browser", "title": "b"})])
        client.insert_events(afk, [Event(timestamp=start, duration=500, data={"status": "not-afk"})])
    top = subprocess.run([sys.executable, str(EXAMPLES / "rest/top_apps.py"), "--testing", "--port", str(server.port),
                          "--since", datetime.fromtimestamp(now - 3600, timezone.utc).isoformat()],
                         capture_output=True, text=True, env=server.env, timeout=60)
    assert top.returncode == 0, top.stderr
    lines = top.stdout.splitlines()
    assert lines[1].split()[:3] == ["Editor", "5m", "00s"] and lines[2].split()[:3] == ["Browser", "3m", "20s"]

    aw = str(Path(SERVER_BINARY).with_name("aw"))
    titles = subprocess.run([aw, "query", "--file", str(EXAMPLES / "rest/top-titles.aw"), "--start", "-1h", "--json",
                             "--url", server.url], capture_output=True, text=True, timeout=60)
    assert titles.returncode == 0, titles.stderr
    assert [e["data"]["title"] for e in json.loads(titles.stdout)[0]] == ["a", "b"]


def test_shell_command_watcher(server):
    script = subprocess.Popen([str(EXAMPLES / "rest/command-watcher.sh"), "echo on-branch-main", "cmdtest", "1"],
                              env={**server.env, "AW_SERVER": server.url}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        with ActivityWatchClient("aw-compat-cmd", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-cmdtest_{client.get_info()['hostname']}"
            wait_for(lambda: bucket in client.get_buckets() and client.get_events(bucket)
                     and client.get_events(bucket)[0].duration.total_seconds() >= 1)
            events = client.get_events(bucket)
            assert len(events) == 1 and events[0].data == {"output": "on-branch-main"}
    finally:
        os.killpg(script.pid, signal.SIGTERM)
        script.wait(timeout=10)


def test_a_watcher_on_another_device_reports_with_its_own_key(home):
    """One server for several computers: bound beyond loopback, one key per device; a device's
    watcher finds server, port and key in its aw-client.toml."""
    port = free_port()
    config = home / "config.toml"
    config.write_text('address = "0.0.0.0"\n[auth.devices]\nlaptop = "laptop-key"\ndesktop = "desktop-key"\n')
    server = ServerProcess(home, port, config=config).start()
    device = home / "laptop"
    (device / "config" / "activitywatch" / "aw-client").mkdir(parents=True)
    (device / "config" / "activitywatch" / "aw-client" / "aw-client.toml").write_text(
        f'[server-testing]\nhostname = "127.0.0.1"\nport = "{port}"\napi_key = "laptop-key"\n')
    env = {**os.environ, "HOME": str(device), "XDG_CONFIG_HOME": str(device / "config"),
           "XDG_DATA_HOME": str(device / "data"), "XDG_CACHE_HOME": str(device / "cache")}

    def get(path, key="desktop-key"):
        request = urllib.request.Request(f"{server.url}{path}", headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    binary = str(Path(SERVER_BINARY).with_name("aw-watcher-load"))
    watcher = subprocess.Popen([binary, "--testing", "--poll-time", "0.2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        hostname = get("/api/0/info")["hostname"]
        bucket = f"aw-watcher-load_{hostname}"
        wait_for(lambda: bucket in get("/api/0/buckets/") and get(f"/api/0/buckets/{bucket}/events"))
        assert get(f"/api/0/buckets/{bucket}")["hostname"] == hostname
        with pytest.raises(urllib.error.HTTPError) as refused:
            get("/api/0/buckets/", key="laptop-key-old")
        assert refused.value.code == 401
    finally:
        watcher.send_signal(signal.SIGTERM)
        output = watcher.communicate(timeout=15)[0].decode()
        assert server.stop() == 0, server.log.read_text()
    assert watcher.returncode == 0, output
