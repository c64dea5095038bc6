"""Requests that try to crash or stall a live aw-server, against the debug build and the release
build (optimised code recurses differently, so both are run): nesting 100,000 levels deep, a 10 MB
query, a catastrophic regular expression, a query past its time limit, a query reading more
events than allowed. The promise: a 4xx with a message (and the query's line and column where
there is one), the server keeps answering meanwhile and afterwards, and no data changes."""
import os
import threading
import time
from pathlib import Path

import pytest

from conftest import SERVER_BINARY, ServerProcess, call, free_port

RELEASE_BINARY = os.environ.get("AW_SERVER_RELEASE_BIN", str(Path(SERVER_BINARY).parents[1] / "release/aw-server"))
BUILDS = {"debug": SERVER_BINARY, "release": RELEASE_BINARY}
DAY = "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"
CANARY = [{"timestamp": f"2024-01-01T10:{minute:02d}:00Z", "duration": 60,
           "data": {"app": "Firefox", "title": "a" * 40 + "!"}} for minute in range(10)]


@pytest.fixture(scope="module", params=list(BUILDS))
def live(request, tmp_path_factory):
    """One server per build with a canary bucket, query_timeout = 2 and query_max_events = 25."""
    binary = BUILDS[request.param]
    if not Path(binary).exists():
        message = f"the {request.param} build of aw-server is missing at {binary} (scripts/test.sh builds it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp(f"hostile-{request.param}")
    config = home / "config.toml"
    config.write_text("query_timeout = 2\nquery_max_events = 25\n")
    server = ServerProcess(home, free_port(), config=config, executable=binary).start()
    assert call(f"{server.url}/api/0/buckets/canary", "POST",
                {"type": "currentwindow", "client": "test", "hostname": "h"})[0] == 200
    assert call(f"{server.url}/api/0/buckets/canary/events", "POST", CANARY)[0] == 200
    yield server
    assert server.stop() == 0, server.log.read_text()


def query(server, text: str, timeout: float = 120):
    return call(f"{server.url}/api/0/query/", "POST", {"timeperiods": [DAY], "query": [text]}, timeout=timeout)


def assert_alive_and_unchanged(server):
    status, info = call(f"{server.url}/api/0/info")
    assert status == 200 and info["testing"] is True
    status, events = call(f"{server.url}/api/0/buckets/canary/events")
    assert status == 200
    assert [(e["timestamp"][:19], e["duration"], e["data"]) for e in reversed(events)] == [
        (e["timestamp"][:19], float(e["duration"]), e["data"]) for e in CANARY]


NESTING = {
    "parentheses": ("(", "1", ")"),
    "lists": ("[", "", "]"),
    "dictionaries": ('{"k": ', "1", "}"),
    "calls": ("sort_by_duration(", "", ")"),
}


@pytest.mark.parametrize("construct", list(NESTING))
def test_nesting_100000_levels_is_a_400_with_the_position(live, construct):
    opener, inner, closer = NESTING[construct]
    text = "RETURN = " + opener * 100_000 + inner + closer * 100_000 + ";"
    status, body = query(live, text)
    assert status == 400, body
    assert "nests deeper than 100 levels" in body["message"]
    bracket = next(character for character in opener if character in "([{")
    offset = [index for index, character in enumerate(text[:len(opener) * 102 + 9]) if character == bracket][100]
    assert body["line"] == 1 and body["column"] == offset + 1, "at the 101st opening bracket"
    assert len(body["message"]) < 1000
    assert_alive_and_unchanged(live)


def test_a_value_nested_statement_by_statement_is_refused(live):
    status, body = query(live, "a = 1;\n" + "a = [a];\n" * 100_000 + "RETURN = a;")
    assert status == 400 and "nest deeper than a query may build" in body["message"] and body["line"] == 102
    assert_alive_and_unchanged(live)


def test_a_10_mb_query_is_answered(live):
    text = 'RETURN = "' + "x" * (10 << 20) + '";'
    status, body = query(live, text)
    assert status == 200 and body == ["x" * (10 << 20)]
    status, body = query(live, "RETURN = 1" + " + 1" * 1_000_000 + ";")
    assert status == 200 and body == [1_000_001.0]
    assert_alive_and_unchanged(live)


def test_a_deeply_nested_json_body_is_a_400(live):
    raw = b'[{"timestamp": "2024-01-01T00:00:00Z", "duration": 1, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"
    status, body = call(f"{live.url}/api/0/buckets/canary/events", "POST", raw=raw)
    assert status == 400 and "nesting deeper than 512 levels" in body["message"], body
    assert_alive_and_unchanged(live)


def test_a_catastrophic_category_regex_is_a_400_naming_the_rule(live):
    rules = '[[["Work"], {"type": "regex", "regex": "zzz"}], [["Bad", "Rule"], {"type": "regex", "regex": "(a|aa)+$"}]]'
    status, body = query(live, f'events = query_bucket("canary");\nRETURN = categorize(events, {rules});')
    assert status == 400, body
    assert "rule 2 (category 'Bad > Rule') cannot be applied" in body["message"]
    assert "too costly" in body["message"] and body["line"] == 2
    status, body = query(live, 'RETURN = filter_keyvals_regex(query_bucket("canary"), "title", "(a+)+$");')
    assert status == 400 and "'(a+)+$' is too costly for a text of 41 characters" in body["message"]
    assert_alive_and_unchanged(live)


def test_a_query_past_query_timeout_is_stopped_while_the_server_keeps_serving(live):
    slow = "a = [];\n" + "a = a + [1];\n" * 300_000 + "RETURN = a;"
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(answer=query(live, slow), finished=time.monotonic()))
    started = time.monotonic()
    runner.start()
    time.sleep(0.5)
    # Meanwhile other requests are answered at once, more than one query included.
    for _ in range(5):
        asked = time.monotonic()
        assert call(f"{live.url}/api/0/info")[0] == 200
        assert query(live, "RETURN = 1;") == (200, [1.0])
        assert time.monotonic() - asked < 1.5
    runner.join(timeout=60)
    status, body = outcome["answer"]
    assert status == 400, body
    assert body["message"].startswith("error: the query ran longer than its time limit of 2 s and was stopped")
    assert "query_timeout" in body["message"]
    assert outcome["finished"] - started < 10
    assert_alive_and_unchanged(live)


def test_a_query_reading_more_events_than_query_max_events_is_refused(live):
    status, body = query(live, 'a = query_bucket("canary");\nb = query_bucket("canary");\nc = query_bucket("canary");\nRETURN = 1;')
    assert status == 400 and "would read more than 25 events" in body["message"] and body["line"] == 3
    assert "query_max_events" in body["message"]
    assert query(live, 'a = query_bucket("canary");\nb = query_bucket("canary");\nRETURN = 1;') == (200, [1.0])
    assert_alive_and_unchanged(live)
