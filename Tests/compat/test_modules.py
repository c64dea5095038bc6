"""External modules under aw-server, as aw-qt runs them: a real Python watcher on the PyPI
aw-client started from the config, restarted after kill -9, given up when it keeps crashing,
and stopped with the server."""
import os
import re
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient

from conftest import wait_for, ServerProcess, free_port

WATCHER = textwrap.dedent(f"""\
    #!{sys.executable}
    import argparse, time
    from datetime import datetime, timezone
    from aw_client import ActivityWatchClient
    from aw_core.models import Event
    parser = argparse.ArgumentParser()
    parser.add_argument("--testing", action="store_true")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    client = ActivityWatchClient("aw-watcher-compattest", testing=args.testing, port=args.port)
    bucket = "aw-watcher-compattest_" + client.client_hostname
    client.create_bucket(bucket, "compattest", queued=False)
    print("watching, port", args.port, "testing", args.testing, flush=True)
    while True:
        client.heartbeat(bucket, Event(timestamp=datetime.now(timezone.utc), data={{"state": "on"}}), pulsetime=5)
        time.sleep(0.2)
    """)


@pytest.fixture
def modules_home(home, monkeypatch):
    bin_dir = home / "bin"
    bin_dir.mkdir()
    watcher = bin_dir / "aw-watcher-compattest"
    watcher.write_text(WATCHER)
    watcher.chmod(0o755)
    crasher = bin_dir / "aw-watcher-crasher"
    crasher.write_text("#!/bin/sh\necho 'crasher: cannot go on' >&2\nexit 3\n")
    crasher.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return home


def start(home, modules):
    config = home / "config.toml"
    config.write_text(f"[modules]\nautostart = {modules}\n")
    return ServerProcess(home, free_port(), config=config).start()


def started_pids(server):
    return [int(pid) for pid in re.findall(r"started module aw-watcher-compattest \(pid (\d+)\)", server.log.read_text())]


def bucket_end(client, bucket):
    events = client.get_events(bucket, limit=1) if bucket in client.get_buckets() else []
    return events[0].timestamp + events[0].duration if events else None


def test_a_python_watcher_runs_is_restarted_after_kill_9_and_stops_with_the_server(modules_home):
    server = start(modules_home, '["aw-watcher-compattest", "aw-watcher-not-installed"]')
    try:
        with ActivityWatchClient("aw-compat-modules", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-compattest_{client.client_hostname}"
            first_end = wait_for(lambda: bucket_end(client, bucket))
            [pid] = started_pids(server)
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda: "module aw-watcher-compattest crashed (signal 9 (SIGKILL)); restarting it in 2 s"
                     in server.log.read_text())
            wait_for(lambda: len(started_pids(server)) == 2)
            assert started_pids(server)[1] != pid
            # Its bucket keeps growing under the new process.
            wait_for(lambda: (bucket_end(client, bucket) - first_end).total_seconds() > 3)
            log = server.log.read_text()
            assert "module 'aw-watcher-not-installed' was not found on PATH" in log
            # The server's port and --testing were passed on; the output is in the module's log file.
            output = modules_home / "cache" / "activitywatch" / "log" / "aw-watcher-compattest" / "aw-watcher-compattest-output.log"
            assert f"watching, port {server.port} testing True" in output.read_text()
    finally:
        assert server.stop() == 0, server.log.read_text()
    last = started_pids(server)[-1]
    assert "module aw-watcher-compattest stopped" in server.log.read_text()
    with pytest.raises(ProcessLookupError):
        os.kill(last, 0)


def test_a_module_that_keeps_crashing_is_given_up_with_a_clear_message(modules_home):
    server = start(modules_home, '[{ name = "aw-watcher-crasher", args = ["--verbose"] }]')
    try:
        wait_for(lambda: "keeps crashing" in server.log.read_text(), timeout=40)
        log = server.log.read_text()
        assert log.count("started module aw-watcher-crasher") == 4  # the first start and 3 restarts
        for delay in (2, 4, 8):
            assert f"module aw-watcher-crasher crashed (exit status 3); restarting it in {delay} s" in log
        assert "module aw-watcher-crasher keeps crashing (exit status 3;" in log
        assert "aw-watcher-crasher --testing --verbose" in log
        output = modules_home / "cache" / "activitywatch" / "log" / "aw-watcher-crasher" / "aw-watcher-crasher-output.log"
        assert output.read_text().count("crasher: cannot go on") == 4
        # The server itself is unaffected.
        with ActivityWatchClient("aw-compat-modules", testing=True, port=server.port) as client:
            assert client.get_info()["testing"] is True
    finally:
        assert server.stop() == 0, server.log.read_text()


def test_a_bad_modules_setting_stops_the_server_with_the_key_named(modules_home):
    config = modules_home / "config.toml"
    config.write_text('[modules]\nautostart = [{ program = "x" }]\n')
    server = ServerProcess(modules_home, free_port(), config=config)
    with pytest.raises(RuntimeError) as failure:
        server.start()
    assert "'modules.autostart[1].program' is not a module setting" in str(failure.value)


PYPI_BIN = Path(sys.executable).parent
PYPI_WATCHERS = ["aw-watcher-netstatus", "aw-watcher-tmux-attached"]


@pytest.fixture
def pypi_home(home, monkeypatch):
    """A PATH holding only the watchers published on PyPI (installed in the test venv), which take
    --testing but no --port."""
    bin_dir = home / "pypi-bin"
    bin_dir.mkdir()
    for name in PYPI_WATCHERS:
        (bin_dir / name).symlink_to(PYPI_BIN / name)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return home


def test_pypi_watchers_reach_a_server_on_another_port_listed_and_discovered(pypi_home):
    config = pypi_home / "config.toml"
    # netstatus is listed by name; tmux-attached is found by discovery.
    config.write_text('[modules]\nautostart = ["aw-watcher-netstatus"]\ndiscover = true\n')
    server = ServerProcess(pypi_home, free_port(), config=config).start()
    try:
        with ActivityWatchClient("aw-compat-pypi", testing=True, port=server.port) as client:
            host = client.client_hostname
            wanted = {f"aw-watcher-netstatus_{host}", f"tmux-attached_{host}"}
            wait_for(lambda: wanted <= set(client.get_buckets()), timeout=40)
            wait_for(lambda: client.get_events(f"aw-watcher-netstatus_{host}"), timeout=40)
        log = server.log.read_text()
        assert "usage error" not in log and "crashed" not in log, log
        for name in PYPI_WATCHERS:
            started = re.search(rf"started module {name} \(pid \d+\): (\S+)(.*); output", log)
            assert started and started.group(2) == " --testing", log
        client_config = pypi_home / "config/activitywatch/aw-client/aw-client.toml"
        assert f'[server-testing]\nport = "{server.port}"' in client_config.read_text()
        assert f'set port = "{server.port}" in [server-testing] of {client_config}' in log
    finally:
        assert server.stop() == 0, server.log.read_text()


def test_a_module_rejecting_its_arguments_gets_one_clear_line_and_no_restarts(pypi_home):
    config = pypi_home / "config.toml"
    config.write_text('[modules]\nautostart = [{ name = "aw-watcher-netstatus", args = ["--port", "5999"] }]\n')
    server = ServerProcess(pypi_home, free_port(), config=config).start()
    try:
        wait_for(lambda: "usage error" in server.log.read_text(), timeout=30)
        time.sleep(3)  # past the first restart delay: nothing more happens
        log = server.log.read_text()
        [line] = [line for line in log.splitlines() if "usage error" in line]
        assert ('module aw-watcher-netstatus stopped at start with a usage error: '
                '"aw-watcher-netstatus: error: unrecognized arguments: --port 5999"') in line
        assert 'autostart = [{ name = "aw-watcher-netstatus", args = [...] }]' in line
        assert log.count("started module aw-watcher-netstatus") == 1
        assert "restarting" not in log
    finally:
        assert server.stop() == 0, server.log.read_text()
