"""Faults a desktop meets, each with a real aw-server process and a real file: a full disk, a
damaged or foreign database file, a database locked by another program, a read-only data folder,
a clock stepping backwards. The promise: clear messages, reads keep working, nothing acknowledged
is lost, no file is damaged or changed that is not ours."""
import hashlib
import os
import sqlite3
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import ServerProcess, call, free_port, wait_for

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


@contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs at `path` (needs root, as the test machines run)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def start_failing(home: Path, db: Path) -> subprocess.CompletedProcess:
    """Runs aw-server on `db` expecting it to refuse to start."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache")}
    return subprocess.run([ServerProcess.binary(), "--testing", "--port", str(free_port()), "--no-watchers", "--dbpath",
                           str(db)], capture_output=True, text=True, timeout=30, env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_disk_full_refuses_writes_keeps_reads_and_recovers(home):
    with tmpfs(home / "small", "3m") as disk:
        filler = disk / "filler"
        filler.write_bytes(b"\0" * 1_500_000)
        db = disk / "full.db"
        server = ServerProcess(home, free_port(), db=db).start()
        api = f"{server.url}/api/0"
        assert call(f"{api}/buckets/blobs", "POST", {"client": "c", "type": "t", "hostname": "h"})[0] == 200
        assert call(f"{api}/buckets/hb", "POST", {"client": "c", "type": "t", "hostname": "h"})[0] == 200
        acknowledged, refusal = [], None
        for i in range(200):
            event = {"timestamp": (T0 + timedelta(minutes=i)).isoformat(), "duration": 60, "data": {"i": i, "blob": "x" * 20000}}
            status, body = call(f"{api}/buckets/blobs/events", "POST", [event])
            if status != 200:
                refusal = (status, body)
                break
            acknowledged.extend(body)
        assert refusal is not None and acknowledged, "the disk never filled up"
        assert refusal[0] == 507 and "is full; nothing was written" in refusal[1]["message"]
        assert str(disk) not in refusal[1]["message"], "error bodies name no files"

        # Heartbeats: once the flush has failed, none is acknowledged any more.
        heartbeats = []
        for i in range(40):
            status, body = call(f"{api}/buckets/hb/heartbeat?pulsetime=0", "POST",
                                {"timestamp": (T0 + timedelta(seconds=i)).isoformat(), "data": {"n": i}})
            if status == 507:
                break
            assert status == 200
            heartbeats.append(body)
            time.sleep(0.1)
        else:
            pytest.fail("heartbeats were still acknowledged with the disk full")
        # A small write may still fit where the database and its journal already have room (the
        # WAL reuses its space after a checkpoint): then it is stored; otherwise it is refused.
        status, _ = call(f"{api}/settings/theme", "POST", "dark")
        assert status in (201, 507)
        if status == 201:
            assert call(f"{api}/settings/theme") == (200, "dark")

        # Reads keep working: everything acknowledged is there.
        status, stored = call(f"{api}/buckets/blobs/events?limit=-1")
        assert status == 200 and {e["id"] for e in stored} == {e["id"] for e in acknowledged}
        assert call(f"{api}/buckets/blobs/events/count") == (200, len(acknowledged))
        status, result = call(f"{api}/query/", "POST", {"timeperiods": ["2023-12-31T00:00:00Z/2024-02-01T00:00:00Z"],
                                                        "query": ['RETURN = sum_durations(query_bucket("blobs"));']})
        assert status == 200 and result == [60.0 * len(acknowledged)]
        assert call(f"{api}/export")[0] == 200

        # Space comes back: writing resumes, the heartbeats acknowledged before the refusal arrive.
        filler.unlink()
        late = {"timestamp": (T0 + timedelta(days=1)).isoformat(), "duration": 1, "data": {"after": True}}
        assert call(f"{api}/buckets/blobs/events", "POST", [late])[0] == 200
        status, body = call(f"{api}/buckets/hb/heartbeat?pulsetime=0", "POST",
                            {"timestamp": (T0 + timedelta(minutes=5)).isoformat(), "data": {"n": "later"}})
        assert status == 200
        stored_heartbeats = wait_for(lambda: call(f"{api}/buckets/hb/events?limit=-1")[1], 10)
        assert {e["id"] for e in heartbeats} | {body["id"]} == {e["id"] for e in stored_heartbeats}
        assert call(f"{api}/settings/theme", "POST", "dark")[0] == 201
        assert server.stop() == 0, server.log.read_text()
        with sqlite3.connect(db) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == len(acknowledged) + 1 + len(
                stored_heartbeats)


@pytest.mark.parametrize("kind", ["random bytes", "text", "truncated database", "another program's database"])
def test_unusable_database_file_is_named_and_left_untouched(home, kind):
    db = home / "bad.db"
    if kind == "random bytes":
        db.write_bytes(os.urandom(8192))
    elif kind == "text":
        db.write_text("these are my notes, not a database\n")
    else:
        with sqlite3.connect(db) as connection:
            connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL, note TEXT)")
            connection.executemany("INSERT INTO invoices (amount, note) VALUES (?, ?)",
                                   [(i * 1.5, "x" * 500) for i in range(400)])
        if kind == "truncated database":
            db.write_bytes(db.read_bytes()[:30000])
    before = digest(db)
    run = start_failing(home, db)
    assert run.returncode != 0
    message = run.stderr.strip().splitlines()[-1]
    assert str(db) in message and "is not a usable SQLite database" in message, message
    if kind == "another program's database":
        assert "holds tables of another program (invoices)" in message
    assert digest(db) == before, "the file was changed"
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("bad.db")) == ["bad.db"]
    assert "Traceback" not in run.stderr and "Fatal error" not in run.stderr


def test_database_locked_by_another_program(home):
    db = home / "locked.db"
    first = ServerProcess(home, free_port(), db=db).start()
    api = f"{first.url}/api/0"
    call(f"{api}/buckets/b", "POST", {"client": "c", "type": "t", "hostname": "h"})
    call(f"{api}/buckets/b/events", "POST", [{"timestamp": T0.isoformat(), "duration": 1, "data": {"before": True}}])
    # A second server on the same file is refused at once, naming the file.
    run = start_failing(home, db)
    assert run.returncode != 0 and str(db) in run.stderr and "in use" in run.stderr, run.stderr
    assert first.stop() == 0

    # Another program holds the write lock: the server starts, reads work, writes answer 503
    # with a message, and writing works again once the lock is released.
    holder = subprocess.Popen(["python3", "-c", "import sqlite3, sys\n"
                               f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
                               "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        server = ServerProcess(home, free_port(), db=db).start()
        api = f"{server.url}/api/0"
        status, events = call(f"{api}/buckets/b/events")
        assert status == 200 and events[0]["data"] == {"before": True}
        status, body = call(f"{api}/buckets/b/events", "POST", [{"timestamp": T0.isoformat(), "data": {"during": 1}}])
        assert status == 503 and "locked by another program" in body["message"], body
        assert str(home) not in body["message"]
    finally:
        holder.communicate("", timeout=10)
    status, body = call(f"{api}/buckets/b/events", "POST", [{"timestamp": T0.isoformat(), "data": {"after": 1}}])
    assert status == 200
    assert server.stop() == 0


def test_read_only_data_folder(home):
    with tmpfs(home / "ro", "4m") as folder:
        db = folder / "ro.db"
        writer = ServerProcess(home, free_port(), db=db).start()
        api = f"{writer.url}/api/0"
        call(f"{api}/buckets/b", "POST", {"client": "c", "type": "t", "hostname": "h"})
        call(f"{api}/buckets/b/events", "POST", [{"timestamp": T0.isoformat(), "duration": 5, "data": {"kept": True}}])
        # Ended as a crash ends it: the uses of data texts it held are left for the next start to
        # count again, which a read-only file cannot take; the server opens it all the same.
        writer.kill()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        before = digest(db)

        # No database yet in a read-only folder: a clear message.
        run = start_failing(home, folder / "new.db")
        assert run.returncode != 0
        assert f"the folder {folder} is not writable" in run.stderr, run.stderr

        # An existing database: the server says it is read-only, reads work, writes get 503.
        server = ServerProcess(home, free_port(), db=db).start()
        api = f"{server.url}/api/0"
        status, events = call(f"{api}/buckets/b/events")
        assert status == 200 and events[0]["data"] == {"kept": True}
        status, body = call(f"{api}/buckets/b/events", "POST", [{"timestamp": T0.isoformat(), "data": {}}])
        assert status == 503 and body["message"] == "the database is read-only; nothing was written"
        assert call(f"{api}/settings/x", "POST", 1)[0] == 503
        server.kill()
        assert "is read-only: everything recorded so far can be read" in server.log.read_text()
        assert "could not count the uses of" in server.log.read_text()
        assert digest(db) == before


def test_killed_server_counts_the_uses_of_data_texts_again(home):
    db = home / "killed.db"
    server = ServerProcess(home, free_port(), db=db).start()
    api = f"{server.url}/api/0"
    call(f"{api}/buckets/b", "POST", {"client": "c", "type": "t", "hostname": "h"})
    # Fifty titles, each on two events: a bulk insert leaves their uses held in memory.
    events = [{"timestamp": (T0 + timedelta(seconds=i)).isoformat(), "duration": 1, "data": {"title": f"t{i % 50}"}}
              for i in range(100)]
    assert call(f"{api}/buckets/b/events", "POST", events)[0] == 200
    server.kill()

    server = ServerProcess(home, free_port(), db=db).start()
    api = f"{server.url}/api/0"
    assert "counted the uses of" in server.log.read_text()
    status, stored = call(f"{api}/buckets/b/events?limit=-1")
    assert status == 200 and len(stored) == 100
    # Deleting one event of each title keeps the title the other event names.
    for event in stored[:50]:
        assert call(f"{api}/buckets/b/events/{event['id']}", "DELETE")[0] == 200
    status, left = call(f"{api}/buckets/b/events?limit=-1")
    assert sorted(e["data"]["title"] for e in left) == sorted(f"t{i}" for i in range(50))
    assert server.stop() == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*), sum(uses) FROM event_data JOIN event_data_uses USING (id)"
                                  ).fetchone() == (50, 50)
        assert connection.execute("SELECT count(*) FROM key_value WHERE key LIKE 'internal.data_uses%'").fetchone() == (0,)


def test_clock_stepping_backwards_during_heartbeats(server):
    api = f"{server.url}/api/0"
    call(f"{api}/buckets/w", "POST", {"client": "c", "type": "currentwindow", "hostname": "h"})

    def beat(at: datetime, app: str):
        status, body = call(f"{api}/buckets/w/heartbeat?pulsetime=2", "POST",
                            {"timestamp": at.isoformat(), "data": {"app": app}})
        assert status == 200, body
        return body

    for second in range(10):
        beat(T0 + timedelta(hours=1, seconds=second), "editor")
    # The clock steps back an hour (an NTP correction, a wrong RTC): heartbeats go on from there.
    for second in range(10):
        beat(T0 + timedelta(seconds=second), "editor")
    for second in range(10, 15):
        beat(T0 + timedelta(seconds=second), "browser")
    status, events = call(f"{api}/buckets/w/events?limit=-1")
    assert status == 200
    assert all(e["duration"] >= 0 for e in events)
    spans = sorted((e["timestamp"], e["duration"], e["data"]["app"]) for e in events)
    # Nothing lost, nothing merged across the step: 9 s of editor an hour later stays as it was.
    assert ("2024-01-01T01:00:00Z", 9.0, "editor") in spans
    assert sum(d for t, d, a in spans if t < "2024-01-01T00:01:00Z") == pytest.approx(14, abs=1)
    with sqlite3.connect(server.home / "data/activitywatch/aw-server-swift/sqlite-testing.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_files_are_private_to_the_user(server):
    """Other local users can read neither the activity database nor the logs."""
    call(f"{server.url}/api/0/buckets/b", "POST", {"client": "c", "type": "t", "hostname": "h"})
    call(f"{server.url}/api/0/buckets/b/events", "POST", [{"timestamp": T0.isoformat(), "data": {"title": "secret"}}])
    data = server.home / "data/activitywatch/aw-server-swift"
    created = [data, server.home / "cache/activitywatch/log/aw-server-swift",
               server.home / "config/activitywatch/aw-server-swift/config-testing.toml"]
    created += list((server.home / "cache/activitywatch/log/aw-server-swift").iterdir())
    if server.store == "sqlite":
        created += [data / "sqlite-testing.db"] + list(data.glob("sqlite-testing.db-*"))
    else:  # the activity is in PostgreSQL, none of it on this machine's disk
        assert not list(data.glob("*.db*"))
    for path in created:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_listening_beyond_loopback_needs_an_api_key(home):
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache")}
    port = free_port()
    run = subprocess.run([ServerProcess.binary(), "--testing", "--port", str(port), "--no-watchers", "--host", "0.0.0.0"],
                         capture_output=True, text=True, timeout=30, env=env)
    assert run.returncode != 0
    message = run.stderr.strip().splitlines()[-1]
    assert "refusing to listen on 0.0.0.0 without an API key" in message and "[auth]" in message, message
    assert not (home / "data").exists() or not any((home / "data").rglob("*.db")), "nothing is created before refusing"

    # With a key, or with one key per device, it serves, and the keys guard the data.
    for auth, keys in (('[auth]\napi_key = "s3cret"', ["s3cret"]),
                       ('[auth.devices]\nlaptop = "l-key"\nphone = "p-key"', ["l-key", "p-key"])):
        config = home / "keyed.toml"
        config.write_text(f'address = "0.0.0.0"\n{auth}\n')
        server = ServerProcess(home, port, config=config).start()
        try:
            assert call(f"{server.url}/api/0/buckets/")[0] == 401
            for key in keys:
                request = urllib.request.Request(f"{server.url}/api/0/buckets/", headers={"Authorization": f"Bearer {key}"})
                with urllib.request.urlopen(request, timeout=10) as response:
                    assert response.status == 200
        finally:
            assert server.stop() == 0
