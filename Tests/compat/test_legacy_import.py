"""A database made for real by the reference Python aw-server 0.12.0 (from PyPI), filled through its
REST API, imported with `aw-server import-legacy`, and compared event by event."""
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event

from conftest import SERVER_BINARY, ServerProcess, free_port, wait_for

PYTHON_SERVER = Path(sys.executable).with_name("aw-server")
RUST_SCHEMA = Path(__file__).with_name("aw-server-rust-schema.sql")


@pytest.mark.skipif(not PYTHON_SERVER.exists(), reason="needs aw-server from PyPI in the test venv")
def test_python_aw_server_database_is_imported_losslessly(home):
    peer_home = home / "peer"
    env = {**os.environ, "HOME": str(peer_home), "XDG_DATA_HOME": str(peer_home / "data"),
           "XDG_CONFIG_HOME": str(peer_home / "config"), "XDG_CACHE_HOME": str(peer_home / "cache")}
    port = free_port()
    log = open(home / "peer.log", "wb")
    peer = subprocess.Popen([str(PYTHON_SERVER), "--port", str(port), "--storage", "peewee"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    expected = {}
    try:
        client = ActivityWatchClient("aw-compat-legacy", port=port)
        wait_for(lambda: _answers(client), timeout=60)
        start = datetime(2026, 5, 1, 9, 0, 0, 123456, tzinfo=timezone.utc)
        buckets = {
            "aw-watcher-window_old": ("currentwindow", [
                {"app": "Ünïcode ✓ 编辑器", "title": "naïve café — “quotes” \\ back\nslash"},
                {"app": "Browser", "title": "x" * 5000},
                {"app": "Terminal", "title": "", "nested": {"a": [1, 2.5, None, True]}},
            ]),
            "aw-watcher-afk_old": ("afkstatus", [{"status": "not-afk"}, {"status": "afk"}]),
            "my-script": ("app.custom", [{}]),
        }
        for bucket, (kind, datas) in buckets.items():
            client.create_bucket(bucket, kind)
            events = [Event(timestamp=start + timedelta(minutes=i), duration=timedelta(seconds=i * 7.25), data=d)
                      for i, d in enumerate(datas * 40)]
            client.insert_events(bucket, events)
            expected[bucket] = client.get_events(bucket, limit=-1)
            assert len(expected[bucket]) == len(events)
    finally:
        peer.terminate()
        peer.wait(timeout=20)
    databases = list((peer_home / "data").rglob("peewee-sqlite*.db"))
    assert len(databases) == 1, databases
    before = databases[0].read_bytes()

    target = home / "imported.db"
    run = subprocess.run([SERVER_BINARY, "import-legacy", str(databases[0]), "--dbpath", str(target), "--testing"],
                         capture_output=True, text=True, env={**os.environ, "HOME": str(home)}, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "3 buckets, 240 events imported, 0 skipped" in run.stdout
    again = subprocess.run([SERVER_BINARY, "import-legacy", str(databases[0]), "--dbpath", str(target), "--testing"],
                           capture_output=True, text=True, env={**os.environ, "HOME": str(home)}, timeout=120)
    assert "0 events imported, 240 skipped" in again.stdout
    assert databases[0].read_bytes() == before  # never modified

    server = ServerProcess(home, free_port(), db=target).start()
    try:
        with ActivityWatchClient("aw-compat-legacy-reader", testing=True, port=server.port) as client:
            imported = client.get_buckets()
            assert set(imported) >= set(buckets)
            for bucket, (kind, _) in buckets.items():
                assert imported[bucket]["type"] == kind
                got = client.get_events(bucket, limit=-1)
                assert [(e.timestamp, e.duration, e.data) for e in got] == \
                       [(e.timestamp, e.duration, e.data) for e in expected[bucket]]
    finally:
        assert server.stop() == 0


def _answers(client):
    try:
        client.get_info()
        return True
    except Exception:
        return False


def test_bad_legacy_database_is_refused_untouched(home):
    bad = home / "peewee-sqlite.v2.db"
    bad.write_bytes(b"definitely not SQLite" * 100)
    run = subprocess.run([SERVER_BINARY, "import-legacy", str(bad), "--dbpath", str(home / "t.db")], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode != 0
    assert f"{bad}: not an SQLite database, or damaged" in run.stderr
    assert bad.read_bytes() == b"definitely not SQLite" * 100
    missing = subprocess.run([SERVER_BINARY, "import-legacy", "--testing", "--dbpath", str(home / "t.db")],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(home),
                                                                              "XDG_DATA_HOME": str(home / "nodata")})
    assert missing.returncode != 0 and "no ActivityWatch database found" in missing.stderr


def make_rust_database(path: Path):
    import sqlite3
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(RUST_SCHEMA.read_text())
    db.executescript("""
        INSERT INTO buckets (name, type, client, hostname, created) VALUES
            ('aw-watcher-window_rust', 'currentwindow', 'aw-watcher-window', 'rust', '2025-01-01 00:00:00+00:00');
        INSERT INTO events (bucketrow, starttime, endtime, data) VALUES
            (1, 1735689600000000001, 1735689660000000001, '{"app":"Rusty","title":"t"}');
        INSERT INTO key_value VALUES ('settings.theme', '"dark"', 0);
    """)
    db.commit()
    db.close()


def test_first_start_imports_the_rust_database_once(home):
    make_rust_database(home / "data/activitywatch/aw-server-rust/sqlite-testing.db")
    server = ServerProcess(home, free_port()).start()
    try:
        with ActivityWatchClient("aw-compat-first-start", testing=True, port=server.port) as client:
            events = client.get_events("aw-watcher-window_rust")
            assert [e.data["app"] for e in events] == ["Rusty"] and events[0].duration == timedelta(minutes=1)
            assert client.get_setting("theme") == "dark"
            client.delete_bucket("aw-watcher-window_rust", force=True)
    finally:
        assert server.stop() == 0
    assert "imported 1 buckets, 1 events and 1 settings" in server.log.read_text()
    # Not the first start any more: a deleted bucket stays deleted.
    again = ServerProcess(home, free_port()).start()
    try:
        with ActivityWatchClient("aw-compat-second-start", testing=True, port=again.port) as client:
            assert "aw-watcher-window_rust" not in client.get_buckets()
    finally:
        assert again.stop() == 0


def test_first_start_import_can_be_turned_off(home):
    make_rust_database(home / "data/activitywatch/aw-server-rust/sqlite-testing.db")
    config = home / "config.toml"
    config.write_text("legacy_import = false\n")
    server = ServerProcess(home, free_port(), config=config).start()
    try:
        with ActivityWatchClient("aw-compat-no-import", testing=True, port=server.port) as client:
            assert "aw-watcher-window_rust" not in client.get_buckets()
    finally:
        assert server.stop() == 0


def test_locked_legacy_database_is_reported(home):
    source = home / "sqlite.db"
    make_rust_database(source)
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3, sys, time\n"
                               "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                               "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)", str(source)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        run = subprocess.run([SERVER_BINARY, "import-legacy", str(source), "--dbpath", str(home / "t.db")],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode != 0
        assert f"{source}: locked by another program" in run.stderr, run.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_failed_first_start_import_is_shown_until_import_legacy_succeeds(home):
    source = home / "data/activitywatch/aw-server-rust/sqlite-testing.db"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"this is not an SQLite database, it was damaged on the way over" * 10)
    server = ServerProcess(home, free_port()).start()
    try:
        with urllib.request.urlopen(f"{server.url}/api/0/notices", timeout=10) as response:
            notices = json.load(response)
        assert [notice["id"] for notice in notices] == ["legacy-import"]
        assert "not an SQLite database, or damaged" in notices[0]["message"]
        assert notices[0]["command"] == "aw-server import-legacy --testing"
    finally:
        assert server.stop() == 0
    log = server.log.read_text()
    warning = next(line for line in log.splitlines() if "was not imported" in line)
    assert "[WARN ]" in warning and "aw-server import-legacy" in warning and str(source) in warning
    # The notice outlives a restart; a successful import clears it.
    make_rust_database(source.with_name("good.db"))
    source.with_name("good.db").replace(source)
    run = subprocess.run([SERVER_BINARY, "import-legacy", "--testing"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ))
    assert run.returncode == 0, run.stderr
    assert "1 buckets, 1 events imported" in run.stdout
    again = ServerProcess(home, free_port()).start()
    try:
        with urllib.request.urlopen(f"{again.url}/api/0/notices", timeout=10) as response:
            assert json.load(response) == []
        with ActivityWatchClient("aw-compat-after-retry", testing=True, port=again.port) as client:
            assert [e.data["app"] for e in client.get_events("aw-watcher-window_rust")] == ["Rusty"]
    finally:
        assert again.stop() == 0


def test_a_schema_7_database_keeps_other_devices_buckets_apart(home):
    source = home / "sqlite.db"
    make_rust_database(source)
    db = sqlite3.connect(source)
    # What aw-server-rust's migrations 6 and 7 do: an index, then buckets per device.
    db.executescript("""
        CREATE INDEX events_bucketrow_endtime_starttime_index ON events(bucketrow, endtime, starttime DESC);
        CREATE TABLE buckets_new (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, type TEXT NOT NULL,
            client TEXT NOT NULL, hostname TEXT NOT NULL, created TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
            device_id TEXT NOT NULL DEFAULT 'local', UNIQUE(device_id, name));
        INSERT INTO buckets_new (id, name, type, client, hostname, created, data)
            SELECT id, name, type, client, hostname, created, data FROM buckets;
        DROP TABLE buckets;
        ALTER TABLE buckets_new RENAME TO buckets;
        INSERT INTO buckets (name, type, client, hostname, created, device_id) VALUES
            ('aw-watcher-window_rust', 'currentwindow', 'aw-watcher-window', 'laptop', '2025-01-02 00:00:00+00:00',
             '7d3c-laptop');
        INSERT INTO events (bucketrow, starttime, endtime, data) VALUES
            (2, 1735689600000000001, 1735689630000000001, '{"app":"Laptop","title":"t"}');
        PRAGMA user_version = 7;
    """)
    db.commit()
    db.close()
    before = source.read_bytes()
    target = home / "imported.db"
    run = subprocess.run([SERVER_BINARY, "import-legacy", str(source), "--dbpath", str(target)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "aw-server-rust database (schema version 7)" in run.stdout
    assert ("bucket 'aw-watcher-window_rust' of device '7d3c-laptop' imported as "
            "'aw-watcher-window_rust@7d3c-laptop'") in run.stdout
    assert source.read_bytes() == before
    server = ServerProcess(home, free_port(), db=target).start()
    try:
        with ActivityWatchClient("aw-compat-devices", testing=True, port=server.port) as client:
            assert [e.data["app"] for e in client.get_events("aw-watcher-window_rust")] == ["Rusty"]
            laptop = client.get_events("aw-watcher-window_rust@7d3c-laptop")
            assert [e.data["app"] for e in laptop] == ["Laptop"] and laptop[0].duration == timedelta(seconds=30)
    finally:
        assert server.stop() == 0
