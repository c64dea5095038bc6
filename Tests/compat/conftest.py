"""Fixtures that run a real aw-server process on a free loopback port with private directories."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SERVER_BINARY = os.environ.get("AW_SERVER_BIN", str(Path(__file__).resolve().parents[2] / ".build/debug/aw-server"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, method: str = "GET", body=None, raw: bytes | None = None, timeout: float = 15):
    """(status, parsed JSON body) for any answer, 4xx and 5xx included; `raw` is sent as it is."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


def status_kib(pid: int, field: str) -> int:
    """A memory figure of a process from /proc/PID/status (`VmRSS`, `RssAnon`, ...), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1))


def wait_for(condition, timeout=20.0):
    """Polls `condition` every 0.1 s until it returns something true, which is returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("condition not met within the timeout")


class ServerProcess:
    """One aw-server process; `start()` waits until /api/0/info answers."""

    def __init__(self, home: Path, port: int, db: Path | None = None, display: str | None = None,
                 config: Path | None = None, extra_args: list[str] | None = None, executable: str | None = None,
                 session: dict | None = None):
        """`display`: run the window and AFK watchers (the desktop plugin) on this X display;
        `session`: run them with these session variables (WAYLAND_DISPLAY, ...; a value of None
        removes one); with neither the server runs alone. `executable`: another build of aw-server than the one under test."""
        self.home, self.port, self.db, self.display, self.config = home, port, db, display, config
        self.session = session
        self.executable = executable or SERVER_BINARY
        self.extra_args = extra_args or []
        self.process: subprocess.Popen | None = None
        self.log = home / f"server-{port}.log"

    @property
    def env(self) -> dict:
        env = dict(os.environ)
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / "config"), XDG_DATA_HOME=str(self.home / "data"),
                   XDG_CACHE_HOME=str(self.home / "cache"))
        if self.display:
            env["DISPLAY"] = self.display
        for key, value in (self.session or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def binary() -> str:
        return SERVER_BINARY

    def start(self, timeout: float = 20) -> "ServerProcess":
        args = [self.executable, "--testing", "--port", str(self.port)]
        if self.db:
            args += ["--dbpath", str(self.db)]
        if self.config:
            args += ["--config", str(self.config)]
        if not self.display and self.session is None:
            args.append("--no-watchers")
        args += self.extra_args
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"aw-server exited with {self.process.returncode}: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/0/info", timeout=1) as response:
                    json.load(response)
                    return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("aw-server did not answer within the timeout")

    def stop(self) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            return self.process.wait(timeout=20)
        return self.process.returncode if self.process else 0

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def home():
    with tempfile.TemporaryDirectory(prefix="aw-compat-") as directory:
        path = Path(directory)
        old = {k: os.environ.get(k) for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")}
        # aw-client keeps its queue and lock files under these directories too.
        os.environ.update(HOME=str(path), XDG_CONFIG_HOME=str(path / "config"), XDG_DATA_HOME=str(path / "data"),
                          XDG_CACHE_HOME=str(path / "cache"))
        yield path
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


POSTGRES_SERVER_URL = os.environ.get("AW_TEST_POSTGRES_URL", "")
# In CI (CI=true) every test must run: a test skipped for a missing tool, service or permission
# fails instead, naming the reason. Elsewhere a skip stays a skip, listed with its reason (-rs).
UNDER_CI = os.environ.get("CI") == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if UNDER_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, which CI=true does not allow: {reason}"
# Where the `server` fixture keeps its data: SQLite always, and a PostgreSQL database when the
# test command has started its private cluster (in CI always: without one those cases fail).
STORES = ["sqlite", "postgres"] if POSTGRES_SERVER_URL or UNDER_CI else ["sqlite"]


def new_postgres_database() -> str:
    """Creates an empty database on the test cluster; its URL."""
    name = f"aw_compat_{os.urandom(8).hex()}"
    subprocess.run(["psql", "-q", "-d", POSTGRES_SERVER_URL, "-c", f"CREATE DATABASE {name}"], check=True)
    return POSTGRES_SERVER_URL.replace("/postgres?", f"/{name}?")


@pytest.fixture(params=STORES)
def server(home, request):
    extra = ["--postgres", new_postgres_database()] if request.param == "postgres" else []
    process = ServerProcess(home, free_port(), extra_args=extra).start()
    process.store = request.param
    yield process
    assert process.stop() == 0, process.log.read_text()
