"""The real Python aw-client (0.5.15, from PyPI) against a live aw-server: every client method."""
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event

UTC = timezone.utc
T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def client(server):
    with ActivityWatchClient("aw-compat-test", testing=True, port=server.port) as c:
        yield c


def make_bucket(client, name="test-compat", event_type="currentwindow"):
    bucket_id = f"{name}_{client.client_hostname}"
    client.create_bucket(bucket_id, event_type)
    return bucket_id


def test_info(client):
    info = client.get_info()
    assert info["testing"] is True
    assert set(info) == {"hostname", "version", "testing", "device_id"}
    assert info["version"].endswith("(swift)")


def test_bucket_lifecycle(client):
    assert client.get_buckets() == {}
    bucket_id = make_bucket(client)
    make_bucket(client)  # a second create is a 304, which the client accepts
    buckets = client.get_buckets()
    assert list(buckets) == [bucket_id]
    bucket = buckets[bucket_id]
    assert bucket["type"] == "currentwindow"
    assert bucket["client"] == "aw-compat-test"
    assert bucket["hostname"] == client.client_hostname
    client.delete_bucket(bucket_id, force=True)
    assert client.get_buckets() == {}


def test_setup_bucket_creates_on_connect(server):
    c = ActivityWatchClient("aw-compat-setup", testing=True, port=server.port)
    bucket_id = f"test-setup_{c.client_hostname}"
    c.setup_bucket(bucket_id, "afkstatus")
    c.connect()  # the request queue creates registered buckets when it connects
    try:
        deadline = time.monotonic() + 10
        while bucket_id not in c.get_buckets() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert c.get_buckets()[bucket_id]["type"] == "afkstatus"
    finally:
        c.disconnect()


def test_insert_and_get_events(client):
    bucket_id = make_bucket(client)
    client.insert_event(bucket_id, Event(timestamp=T0, duration=timedelta(seconds=1.5), data={"app": "Términal", "title": "~"}))
    client.insert_events(bucket_id, [
        Event(timestamp=T0 + timedelta(hours=i), duration=timedelta(minutes=30), data={"app": "app", "n": i}) for i in range(1, 25)
    ])
    events = client.get_events(bucket_id, limit=-1)
    assert len(events) == 25
    assert [e.timestamp for e in events] == sorted((e.timestamp for e in events), reverse=True)
    first = events[-1]
    assert first.data == {"app": "Términal", "title": "~"}
    assert first.duration == timedelta(seconds=1.5)
    assert first.timestamp == T0
    assert all(isinstance(e.id, int) for e in events)

    assert [e.data["n"] for e in client.get_events(bucket_id, limit=3)] == [24, 23, 22]
    window = client.get_events(bucket_id, start=T0 + timedelta(hours=2, minutes=15), end=T0 + timedelta(hours=4, minutes=10))
    assert [e.data["n"] for e in window] == [4, 3, 2]
    assert window[0].duration == timedelta(minutes=10)
    assert window[-1].timestamp == T0 + timedelta(hours=2, minutes=15)
    assert window[-1].duration == timedelta(minutes=15)
    # timezone-aware bounds in another offset select the same instant
    cest = timezone(timedelta(hours=2))
    same = client.get_events(bucket_id, start=(T0 + timedelta(hours=2, minutes=15)).astimezone(cest), end=(T0 + timedelta(hours=4, minutes=10)).astimezone(cest))
    assert [e.data["n"] for e in same] == [4, 3, 2]

    assert client.get_eventcount(bucket_id) == 25
    assert client.get_eventcount(bucket_id, start=T0 + timedelta(hours=20)) == 5

    single = client.get_event(bucket_id, first.id)
    assert single.data == first.data and single.timestamp == T0
    client.delete_event(bucket_id, first.id)
    assert client.get_eventcount(bucket_id) == 24


def test_send_events_in_insertion_order_for_equal_timestamps(client):
    bucket_id = make_bucket(client)
    client.insert_events(bucket_id, [Event(timestamp=T0, duration=0, data={"i": i}) for i in range(10)])
    assert [e.data["i"] for e in client.get_events(bucket_id)] == list(range(10))


def test_heartbeats_merge(client):
    bucket_id = make_bucket(client)
    for i in range(5):
        client.heartbeat(bucket_id, Event(timestamp=T0 + timedelta(seconds=i), data={"app": "a"}), pulsetime=2)
    client.heartbeat(bucket_id, Event(timestamp=T0 + timedelta(seconds=5), data={"app": "b"}), pulsetime=2)
    client.heartbeat(bucket_id, Event(timestamp=T0 + timedelta(seconds=60), data={"app": "b"}), pulsetime=2)
    events = client.get_events(bucket_id)
    assert [(e.data["app"], e.duration.total_seconds()) for e in events] == [("b", 0), ("b", 0), ("a", 4)]


def test_queued_heartbeats_with_commit_interval(client):
    bucket_id = make_bucket(client)
    client.setup_bucket(bucket_id, "currentwindow")
    for i in range(12):
        client.heartbeat(bucket_id, Event(timestamp=T0 + timedelta(seconds=i), data={"app": "q"}), pulsetime=2, queued=True, commit_interval=3)
    client.heartbeat(bucket_id, Event(timestamp=T0 + timedelta(seconds=12), data={"app": "other"}), pulsetime=2, queued=True, commit_interval=3)
    deadline = time.monotonic() + 15
    events = []
    while time.monotonic() < deadline:
        events = client.get_events(bucket_id)
        if events and events[0].duration.total_seconds() == 11:
            break
        time.sleep(0.1)
    assert len(events) == 1
    assert events[0].data == {"app": "q"}
    assert events[0].timestamp == T0
    assert events[0].duration.total_seconds() == 11


def test_export_and_import(client):
    bucket_id = make_bucket(client)
    client.insert_events(bucket_id, [Event(timestamp=T0 + timedelta(minutes=i), duration=30, data={"i": i, "s": "ü"}) for i in range(50)])
    export_all = client.export_all()
    assert bucket_id in export_all["buckets"]
    export = client.export_bucket(bucket_id)
    bucket = export["buckets"][bucket_id]
    assert len(bucket["events"]) == 50
    assert bucket["type"] == "currentwindow"
    before = client.get_events(bucket_id)

    client.delete_bucket(bucket_id, force=True)
    client.import_bucket(bucket)
    after = client.get_events(bucket_id)
    assert [(e.timestamp, e.duration, e.data) for e in after] == [(e.timestamp, e.duration, e.data) for e in before]
    client.import_bucket(bucket)  # importing again adds nothing
    assert client.get_eventcount(bucket_id) == 50


def test_settings(client):
    assert client.get_setting("never") is None
    client.set_setting("startOfDay", "04:00")
    client.set_setting("classes", [{"name": ["Work"], "rule": {"type": "regex", "regex": "code"}}])
    assert client.get_setting("startOfDay") == "04:00"
    assert client.get_setting()["classes"][0]["name"] == ["Work"]


def test_a_new_server_stores_the_web_uis_default_categories_and_aw_client_report_works(server, client, home):
    classes = client.get_setting("classes")
    assert [rule["name"] for rule in classes][:3] == [["Work"], ["Work", "Programming"],
                                                       ["Work", "Programming", "ActivityWatch"]]
    assert classes[-1]["name"] == ["Uncategorized"] and len(classes) == 16
    host = "reporthost"
    for bucket, kind, data in (("aw-watcher-window", "currentwindow", {"app": "Code", "title": "GitHub"}),
                               ("aw-watcher-afk", "afkstatus", {"status": "not-afk"})):
        client._post(f"buckets/{bucket}_{host}", {"client": bucket, "hostname": host, "type": kind})
        client.insert_event(f"{bucket}_{host}", Event(timestamp=datetime.now(UTC) - timedelta(hours=1),
                                                      duration=600, data=data))
    # aw-client's report reads the categories through the production port of aw-client.toml.
    config = home / "config/activitywatch/aw-client/aw-client.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[server]\nhostname = "127.0.0.1"\nport = "{server.port}"\n')
    report = subprocess.run([str(Path(sys.executable).with_name("aw-client")), "--testing", "--port", str(server.port),
                             "report", host], capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert "Programming" in report.stdout, report.stdout


def test_a_deleted_or_changed_classes_setting_is_left_alone(home):
    from conftest import ServerProcess, free_port
    db = home / "kept.db"
    first = ServerProcess(home, free_port(), db=db).start()
    with ActivityWatchClient("aw-compat-classes", testing=True, port=first.port) as client:
        assert len(client.get_setting("classes")) == 16
        client._delete("settings/classes")
    assert first.stop() == 0
    again = ServerProcess(home, free_port(), db=db).start()
    with ActivityWatchClient("aw-compat-classes", testing=True, port=again.port) as client:
        assert client.get_setting("classes") is None
    assert again.stop() == 0


def test_errors_are_http_errors(client):
    import requests
    with pytest.raises(requests.HTTPError) as missing:
        client.get_events("no-such-bucket")
    assert missing.value.response.status_code == 404
    assert "does not exist" in missing.value.response.json()["message"]
    with pytest.raises(requests.HTTPError) as bad:
        client._post("buckets/no-such-bucket/heartbeat", {"timestamp": "x"})
    assert bad.value.response.status_code in (400, 404)
