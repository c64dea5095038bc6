"""The `aw` command line against a live aw-server: every subcommand, and clear failures for bad input."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient
from aw_core.models import Event

from conftest import SERVER_BINARY

AW_BINARY = os.environ.get("AW_CLI_BIN", str(Path(SERVER_BINARY).with_name("aw")))


def aw(server, *args, stdin=None, check=True):
    result = subprocess.run([AW_BINARY, *args, "--url", server.url], input=stdin, capture_output=True, text=True,
                            env=server.env, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def fails(server, *args, stdin=None) -> str:
    result = aw(server, *args, stdin=stdin, check=False)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr
    return result.stderr


@pytest.fixture
def filled(server):
    with ActivityWatchClient("aw-cli-test", testing=True, port=server.port) as client:
        client.create_bucket("cli-window", "currentwindow")
        client.insert_events("cli-window", [
            Event(timestamp="2026-05-01T09:00:00+00:00", duration=600, data={"app": "Editor", "title": "notes"}),
            Event(timestamp="2026-05-01T09:10:00+00:00", duration=300, data={"app": "Browser", "title": "docs"}),
            Event(timestamp="2026-05-01T09:15:00+00:00", duration=120, data={"app": "Editor", "title": "notes"}),
        ])
    return server


def test_info_and_buckets(filled):
    assert "hostname:" in aw(filled, "info").stdout
    assert json.loads(aw(filled, "info", "--json").stdout)["testing"] is True
    table = aw(filled, "buckets").stdout.splitlines()
    assert table[0].split()[:2] == ["ID", "TYPE"] and table[1].split()[:2] == ["cli-window", "currentwindow"]
    listed = json.loads(aw(filled, "buckets", "list", "--json").stdout)
    assert listed["cli-window"]["metadata"]["start"].startswith("2026-05-01T09:00:00")
    shown = json.loads(aw(filled, "buckets", "show", "cli-window", "--json").stdout)
    assert shown["event_count"] == 3 and shown["last_event"]["data"]["app"] == "Editor"
    assert "events:      3" in aw(filled, "buckets", "show", "cli-window").stdout


def test_events_list_with_range_and_limit(filled):
    events = json.loads(aw(filled, "events", "list", "cli-window", "--json", "--limit", "-1").stdout)
    assert [e["data"]["app"] for e in events] == ["Editor", "Browser", "Editor"]
    ranged = json.loads(aw(filled, "events", "cli-window", "--json", "--start", "2026-05-01T09:11:00Z",
                           "--end", "2026-05-01T09:14:00Z").stdout)
    assert [e["data"]["app"] for e in ranged] == ["Browser"]
    assert len(json.loads(aw(filled, "events", "cli-window", "--json", "--limit", "1").stdout)) == 1
    table = aw(filled, "events", "cli-window").stdout
    assert "10m 00s" in table and '"app":"Browser"' in table


def test_events_insert_and_heartbeat(filled):
    one = '{"timestamp": "2026-05-01T10:00:00Z", "duration": 5, "data": {"label": "call"}}'
    assert "inserted 1 event" in aw(filled, "events", "insert", "cli-window", stdin=one).stderr
    assert aw(filled, "events", "cli-window", "--json", "--limit", "1").stdout.count('"call"') == 1
    first = json.loads(aw(filled, "heartbeat", "cli-hb", '{"status": "on"}', "--create", "test", "--json",
                          "--timestamp", "2026-05-01T11:00:00Z").stdout)
    merged = json.loads(aw(filled, "heartbeat", "cli-hb", '{"status": "on"}', "--json", "--pulsetime", "60",
                           "--timestamp", "2026-05-01T11:00:30Z").stdout)
    assert first["duration"] == 0 and merged["duration"] == 30
    assert "extended" in aw(filled, "heartbeat", "cli-hb", '{"status": "on"}', "--timestamp", "2026-05-01T11:00:40Z").stdout


def test_query_inline_file_and_periods(filled, home):
    program = 'RETURN = sort_by_duration(merge_events_by_keys(query_bucket("cli-window"), ["app"]));'
    result = json.loads(aw(filled, "query", program, "--json", "--start", "2026-05-01", "--end", "2026-05-02").stdout)
    assert {e["data"]["app"]: e["duration"] for e in result[0]} == {"Editor": 720, "Browser": 300}
    path = home / "top.aw"
    path.write_text(program)
    two = json.loads(aw(filled, "query", "--file", str(path), "--json", "--period", "2026-05-01T09:00:00Z/2026-05-01T09:12:00Z",
                        "--period", "2026-04-01T00:00:00Z/2026-04-02T00:00:00Z").stdout)
    assert len(two) == 2 and two[1] == []
    table = aw(filled, "query", program, "--start", "2026-05-01", "--end", "2026-05-02").stdout
    assert "12m 00s" in table and "2 events, 17m 00s in total" in table


def test_export_and_import(filled, home):
    everything = home / "all.json"
    assert "exported every bucket" in aw(filled, "export", "-o", str(everything)).stderr
    document = json.loads(everything.read_text())
    assert len(document["buckets"]["cli-window"]["events"]) == 3
    one = json.loads(aw(filled, "export", "cli-window").stdout)
    assert list(one["buckets"]) == ["cli-window"]
    assert "deleted bucket 'cli-window' (3 events)" in aw(filled, "buckets", "delete", "cli-window", "--yes").stderr
    imported = aw(filled, "import", str(everything)).stdout
    assert "cli-window" in imported and " 3 " in imported
    assert len(json.loads(aw(filled, "events", "cli-window", "--json", "--limit", "-1").stdout)) == 3
    again = json.loads(aw(filled, "import", str(everything), "--json").stdout)
    assert again["buckets"]["cli-window"]["inserted"] == 0 and again["buckets"]["cli-window"]["skipped"] == 3


def test_bad_input_fails_with_a_clear_message(filled, home):
    assert "bucket 'nope' does not exist" in fails(filled, "events", "list", "nope")
    assert "bucket 'nope' does not exist" in fails(filled, "buckets", "show", "nope")
    assert "'yesterdayish' is not a time" in fails(filled, "events", "cli-window", "--start", "yesterdayish")
    assert "--end is before --start" in fails(filled, "events", "cli-window", "--start", "2026-05-02", "--end", "2026-05-01")
    error = fails(filled, "query", "a = 1;\nRETURN = b;")
    assert "unknown variable 'b'" in error and "query:2:10" in error
    assert "is not valid JSON" in fails(filled, "heartbeat", "cli-window", "{oops")
    assert "must be a JSON object" in fails(filled, "heartbeat", "cli-window", "[1]")
    assert "timestamp" in fails(filled, "events", "insert", "cli-window", stdin='{"duration": 1}')
    assert "no such file" in fails(filled, "import", str(home / "missing.json"))
    bad = home / "bad.json"
    bad.write_text('{"buckets": 3}')
    assert "buckets" in fails(filled, "import", str(bad))
    assert "without --yes" in fails(filled, "buckets", "delete", "cli-window")
    assert len(json.loads(aw(filled, "events", "cli-window", "--json").stdout)) == 3  # nothing was lost
    unreachable = subprocess.run([AW_BINARY, "info", "--url", "http://127.0.0.1:1"], capture_output=True, text=True)
    assert unreachable.returncode != 0 and "cannot reach the server at http://127.0.0.1:1" in unreachable.stderr
    assert "is not a server address" in subprocess.run([AW_BINARY, "info", "--url", "ftp://x"], capture_output=True,
                                                       text=True).stderr


def test_shell_completions():
    for shell in ("bash", "zsh", "fish"):
        script = subprocess.run([AW_BINARY, "--generate-completion-script", shell], capture_output=True, text=True)
        assert script.returncode == 0 and "buckets" in script.stdout


def test_aw_server_help_lists_the_options_of_the_default_serve_command():
    for asking in (["--help"], ["-h"], ["help"]):
        shown = subprocess.run([SERVER_BINARY, *asking], capture_output=True, text=True, timeout=30)
        assert shown.returncode == 0
        assert "SUBCOMMANDS:" in shown.stdout and "OPTIONS OF serve" in shown.stdout
        for flag in ("--no-watchers", "--no-legacy-import", "--testing", "--port", "--postgres", "--webpath"):
            assert flag in shown.stdout.split("OPTIONS OF serve")[1], flag
    assert "SUBCOMMANDS" not in subprocess.run([SERVER_BINARY, "serve", "--help"], capture_output=True,
                                               text=True).stdout


def test_import_of_a_large_file_shows_progress_on_a_terminal(server, home):
    import pty
    events = [{"timestamp": f"2026-05-01T{h:02d}:{m:02d}:{s:02d}Z", "duration": 1, "data": {"app": "App", "title": "t" * 60}}
              for h in range(24) for m in range(60) for s in range(0, 60, 2)]
    big = home / "big.json"
    big.write_text(json.dumps({"buckets": {"big": {"id": "big", "type": "t", "client": "c", "hostname": "h",
                                                   "created": "2026-05-01T00:00:00Z", "events": events}}}))
    assert big.stat().st_size > 4 << 20
    controller, terminal = pty.openpty()
    result = subprocess.run([AW_BINARY, "import", str(big), "--url", server.url], stderr=terminal, stdout=subprocess.PIPE,
                            text=True, env=server.env, timeout=120)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert result.returncode == 0
    assert b"importing big.json [" in shown and b"100%" in shown
    assert f" {len(events)} " in result.stdout
