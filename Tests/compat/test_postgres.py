"""aw-server on PostgreSQL as a user runs it: `aw-server migrate` between an SQLite file and a
PostgreSQL database with the real Python aw-client writing and reading, and the messages for a
PostgreSQL setup that cannot work."""
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from datetime import datetime, timedelta, timezone

import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event

from conftest import POSTGRES_SERVER_URL, ServerProcess, free_port, new_postgres_database

pytestmark = pytest.mark.skipif(not POSTGRES_SERVER_URL, reason="the test command starts a PostgreSQL cluster")

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)


def migrate(home, source: str, target: str) -> subprocess.CompletedProcess:
    return subprocess.run([ServerProcess.binary(), "migrate", "--from", source, "--to", target, "--page-size", "100"],
                          env=ServerProcess(home, 0).env, capture_output=True, text=True, timeout=120)


def events_of(server: ServerProcess, bucket_id: str) -> list:
    with ActivityWatchClient("aw-compat-reader", testing=True, port=server.port) as client:
        return [(e.timestamp, e.duration, e.data) for e in client.get_events(bucket_id, limit=-1)]


def test_migrate_sqlite_to_postgres_and_back(home):
    sqlite_file = home / "recorded.db"
    recorder = ServerProcess(home, free_port(), db=sqlite_file).start()
    with ActivityWatchClient("aw-compat-migrate", testing=True, port=recorder.port) as client:
        bucket_id = f"aw-watcher-window_{client.client_hostname}"
        client.create_bucket(bucket_id, "currentwindow")
        client.insert_events(bucket_id, [
            Event(timestamp=T0 + timedelta(seconds=10 * i), duration=5, data={"app": f"app{i % 7}", "title": f"t{i}"})
            for i in range(250)])
        for i in range(5):
            client.heartbeat(bucket_id, Event(timestamp=T0 + timedelta(hours=1, seconds=i), data={"app": "hb"}),
                             pulsetime=2, queued=False)
    expected = events_of(recorder, bucket_id)
    assert len(expected) == 251
    assert recorder.stop() == 0

    database = new_postgres_database()
    first = migrate(home, f"sqlite:{sqlite_file}", f"postgres:{database}")
    assert first.returncode == 0, first.stderr
    assert f"{bucket_id}: 251/251 events" in first.stdout
    assert "done: 1 buckets, 251 events copied, 0 already there" in first.stdout
    again = migrate(home, f"sqlite:{sqlite_file}", database)
    assert again.returncode == 0, again.stderr
    assert "done: 1 buckets, 0 events copied, 251 already there" in again.stdout

    on_postgres = ServerProcess(home, free_port(), extra_args=["--postgres", database]).start()
    assert events_of(on_postgres, bucket_id) == expected
    assert on_postgres.stop() == 0

    back = migrate(home, f"postgres:{database}", f"sqlite:{home / 'back.db'}")
    assert back.returncode == 0, back.stderr
    on_sqlite = ServerProcess(home, free_port(), db=home / "back.db").start()
    assert events_of(on_sqlite, bucket_id) == expected
    assert on_sqlite.stop() == 0


def on_test_cluster(user: str, database: str, query: str) -> str:
    """An address on the test command's PostgreSQL cluster (no TLS, user "aw" trusted)."""
    cluster = urlsplit(POSTGRES_SERVER_URL or "postgres://aw@127.0.0.1:5432/postgres")
    return urlunsplit((cluster.scheme, f"{user}:secret@{cluster.hostname}:{cluster.port}", f"/{database}", query, ""))


@pytest.mark.parametrize("arguments, message", [
    (["--postgres", "mysql://localhost/db"], "invalid PostgreSQL address 'mysql://localhost/db'"),
    (["--postgres", "postgres://aw:secret@127.0.0.1:1/db?sslmode=sometimes"], "sslmode must be one of"),
    (["--postgres", "postgres://aw:secret@127.0.0.1:1/db?sslmode=disable"],
     "the database server postgres://aw@127.0.0.1:1/db cannot be reached: Connection refused"),
    (["--postgres", "postgres://aw:secret@127.0.0.1:1/db?sslrootcert=/no/such/ca.pem"],
     "sslrootcert '/no/such/ca.pem' is not a file aw-server can read"),
    (["--postgres", "postgres://aw:secret@127.0.0.1:1/db?sslmode=require&sslrootcert=system"],
     "sslrootcert=system needs sslmode=verify-full"),
    (["--postgres", on_test_cluster("aw", "no_such_database", "sslmode=disable")],
     'no_such_database: database "no_such_database" does not exist'),
    (["--postgres", on_test_cluster("nobody", "postgres", "sslmode=disable")], 'role "nobody" does not exist'),
    (["--postgres", on_test_cluster("aw", "postgres", "sslmode=require")],
     "the server does not offer encrypted connections, which sslmode=require needs"),
])
def test_unusable_postgres_is_named_at_start(home, arguments, message):
    process = subprocess.run([ServerProcess.binary(), "--testing", "--no-watchers", "--port", str(free_port())]
                             + arguments, env=ServerProcess(home, 0).env, capture_output=True, text=True, timeout=60)
    assert process.returncode != 0
    assert message in process.stderr + process.stdout
    assert "secret" not in process.stderr + process.stdout


def test_storage_section_without_url_is_a_config_error(home):
    config = home / "config.toml"
    config.write_text('[storage]\nbackend = "postgres"\n')
    process = subprocess.run([ServerProcess.binary(), "--testing", "--no-watchers", "--config", str(config)],
                             env=ServerProcess(home, 0).env, capture_output=True, text=True, timeout=60)
    assert process.returncode != 0
    assert "backend" in process.stderr and "needs url" in process.stderr


def test_migrate_names_a_bad_store(home):
    process = migrate(home, "mysql:x", "sqlite:/tmp/x.db")
    assert process.returncode != 0
    assert "'mysql:x' is not a store: write sqlite:PATH or postgres:URL" in process.stderr


def test_import_legacy_into_postgres(home):
    """`aw-server import-legacy` puts an aw-server-rust history into the PostgreSQL database that
    the config's [storage] names, once."""
    from test_legacy_import import make_rust_database
    source = home / "rust" / "sqlite.db"
    make_rust_database(source)
    database = new_postgres_database()
    config = home / "config.toml"
    config.write_text(f'[storage]\nbackend = "postgres"\nurl = "{database}"\n')

    def import_legacy(*arguments):
        return subprocess.run([ServerProcess.binary(), "import-legacy", str(source), *arguments],
                              env=ServerProcess(home, 0).env, capture_output=True, text=True, timeout=120)

    first = import_legacy("--config", str(config))
    assert first.returncode == 0, first.stderr
    shown = urlsplit(database)
    assert f"into postgres://{shown.username}@{shown.hostname}:{shown.port}{shown.path}" in first.stdout
    assert "1 buckets, 1 events imported, 0 skipped; settings: 1 imported, 0 kept" in first.stdout
    again = import_legacy("--postgres", database)
    assert again.returncode == 0, again.stderr
    assert "1 buckets, 0 events imported, 1 skipped; settings: 0 imported, 1 kept" in again.stdout

    server = ServerProcess(home, free_port(), extra_args=["--postgres", database]).start()
    try:
        with ActivityWatchClient("aw-compat-legacy-postgres", testing=True, port=server.port) as client:
            events = client.get_events("aw-watcher-window_rust")
            assert [(e.data, e.duration) for e in events] == [({"app": "Rusty", "title": "t"}, timedelta(minutes=1))]
            assert client.get_setting("theme") == "dark"
    finally:
        assert server.stop() == 0

    both = import_legacy("--postgres", database, "--dbpath", str(home / "x.db"))
    assert both.returncode != 0 and "--dbpath and --postgres name two stores; give one" in both.stderr



PASSWORD = "p#a/s?s@w rd"  # every character a URL reserves for something else


def psql(query: str) -> str:
    return subprocess.run(["psql", "-qAt", "-d", POSTGRES_SERVER_URL, "-c", query], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def password_user():
    """A role on the test cluster that must give PASSWORD (scram-sha-256) while the test runs; the
    cluster trusts everyone else. Yields the address with the password written as typed."""
    user = f"pw_{os.urandom(4).hex()}"
    database = new_postgres_database().rsplit("/", 1)[1].split("?")[0]
    psql(f"SET password_encryption = 'scram-sha-256'; CREATE ROLE {user} LOGIN PASSWORD '{PASSWORD}'")
    psql(f"GRANT ALL ON DATABASE {database} TO {user}; ALTER DATABASE {database} OWNER TO {user}")
    hba = Path(psql("SHOW hba_file"))
    original = hba.read_text()
    hba.write_text(f"host all {user} 127.0.0.1/32 scram-sha-256\n" + original)
    psql("SELECT pg_reload_conf()")
    cluster = urlsplit(POSTGRES_SERVER_URL)
    try:
        yield f"postgres://{user}:{PASSWORD}@{cluster.hostname}:{cluster.port}/{database}?sslmode=disable"
    finally:
        hba.write_text(original)
        psql("SELECT pg_reload_conf()")


def test_passwords_with_url_characters_work_as_typed_and_are_never_printed(home, password_user):
    config = home / "config.toml"
    config.write_text(f'[storage]\nbackend = "postgres"\nurl = "{password_user}"\n')
    for arguments in (["--config", str(config)], ["--postgres", password_user]):
        server = ServerProcess(home, free_port(), extra_args=arguments).start()
        try:
            with ActivityWatchClient("aw-compat-password", testing=True, port=server.port) as client:
                client.create_bucket(f"b{len(arguments[1])}", "test")
                assert f"b{len(arguments[1])}" in client.get_buckets()
        finally:
            assert server.stop() == 0
        assert "s?s" not in server.log.read_text()
    sqlite_file = home / "copy.db"
    copied = migrate(home, f"postgres:{password_user}", f"sqlite:{sqlite_file}")
    assert copied.returncode == 0, copied.stderr
    assert "done: 2 buckets" in copied.stdout, copied.stdout
    back = migrate(home, f"sqlite:{sqlite_file}", password_user)
    assert back.returncode == 0 and "done: 2 buckets, 0 events copied" in back.stdout, back.stdout + back.stderr
    # Wrong or malformed: the message names the problem and shows no part of the password.
    wrong = password_user.replace(PASSWORD, PASSWORD + "x")
    malformed = password_user.replace("sslmode=disable", "sslmode=sometimes")
    for url, message in ((wrong, "password authentication failed"), (malformed, "sslmode must be one of")):
        started = subprocess.run([ServerProcess.binary(), "--testing", "--no-watchers", "--port", str(free_port()),
                                  "--postgres", url], env=ServerProcess(home, 0).env, capture_output=True, text=True,
                                 timeout=60)
        moved = migrate(home, f"sqlite:{sqlite_file}", f"postgres:{url}")
        for run in (started, moved):
            output = run.stdout + run.stderr
            assert run.returncode != 0 and message in output, output
            for fragment in ("p#a", "s?s", "w rd", "a/s"):
                assert fragment not in output, output
