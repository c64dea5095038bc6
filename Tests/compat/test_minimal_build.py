"""The build a developer's first `scripts/run.sh` makes (package traits off: no PostgreSQL
datastore, no HTTPS in the client): it serves and records, its `aw` speaks plain HTTP to it, and
asking for what it leaves out is refused with a message that says how to get it.
AW_MINIMAL_BUILD_DIR names the folder of that build's `aw-server` and `aw` (scripts/test.sh
makes them with `scripts/package.sh --minimal`, a release build with --disable-default-traits)."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import ServerProcess, free_port

BUILD_DIR = os.environ.get("AW_MINIMAL_BUILD_DIR", "")
pytestmark = pytest.mark.skipif(not BUILD_DIR, reason="needs AW_MINIMAL_BUILD_DIR: a build with --disable-default-traits")


def tool(name):
    return str(Path(BUILD_DIR) / name)


def test_the_minimal_build_serves_and_its_cli_speaks_plain_http(home):
    server = ServerProcess(home, free_port(), executable=tool("aw-server")).start()
    try:
        def aw(*args):
            return subprocess.run([tool("aw"), *args, "--url", server.url], capture_output=True, text=True,
                                  env=server.env, timeout=60)
        made = aw("heartbeat", "minimal", '{"app": "editor"}', "--create", "test", "--timestamp", "2026-05-01T11:00:00Z")
        assert made.returncode == 0, made.stderr
        events = aw("events", "minimal", "--json")
        assert events.returncode == 0 and '"editor"' in events.stdout, events.stderr
    finally:
        server.stop()


def test_what_the_minimal_build_leaves_out_is_refused_saying_how_to_get_it(home):
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    https = subprocess.run([tool("aw"), "info", "--url", f"https://localhost:{free_port()}"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert https.returncode != 0
    assert "this build has no HTTPS" in https.stderr and "scripts/release-build.sh aw-server aw" in https.stderr
    postgres = subprocess.run([tool("aw-server"), "--testing", "--port", str(free_port()), "--no-watchers",
                               "--postgres", "postgres://aw@127.0.0.1:1/db"],
                              capture_output=True, text=True, env=env, timeout=60)
    assert postgres.returncode != 0
    assert "built without PostgreSQL" in postgres.stdout + postgres.stderr
