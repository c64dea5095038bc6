"""Plugins as users build and install them: the C example (cc -shared) and the git watcher's own
package (swift build), dropped into a plugin folder of a live aw-server; isolated modules; plugins
that cannot be used; and the core binary free of desktop libraries."""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient

from conftest import SERVER_BINARY, ServerProcess, call, free_port, wait_for

REPOSITORY = Path(__file__).resolve().parents[2]
HEADER_FOLDER = REPOSITORY / "Sources/CAWPlugin/include"
# Run the plugins' modules, with no desktop session and without the desktop watchers.
NO_DESKTOP = {"DISPLAY": None, "WAYLAND_DISPLAY": None, "XDG_SESSION_TYPE": None}
DESKTOP_OFF = "[watchers.window]\nenabled = false\n[watchers.afk]\nenabled = false\n"


def compile_plugin(source: str | Path, output: Path, *flags: str) -> Path:
    """Builds a C plugin as its documentation says: one `cc -shared` command."""
    if isinstance(source, str):
        path = output.with_suffix(".c")
        path.write_text(source)
        source = path
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-pthread", "-I", str(HEADER_FOLDER), "-o", str(output),
                    str(source), *flags], check=True, capture_output=True, text=True)
    return output


def plugin_folder(home: Path) -> Path:
    folder = home / "data/activitywatch/aw-server-swift/plugins"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def hello_plugin(home: Path) -> Path:
    return compile_plugin(REPOSITORY / "examples/c-plugin/hello.c", plugin_folder(home) / "libaw-plugin-hello.so")


def plugins_listing(home: Path, config: Path) -> tuple[int, list]:
    result = subprocess.run([SERVER_BINARY, "plugins", "--testing", "--json", "--config", str(config)],
                            env=ServerProcess(home, 0).env, capture_output=True, text=True, timeout=60)
    return result.returncode, json.loads(result.stdout)


def events(client: ActivityWatchClient, bucket: str) -> list:
    return list(reversed(client.get_events(bucket))) if bucket in client.get_buckets() else []


@pytest.fixture(scope="session")
def git_plugin() -> Path:
    """The git watcher example, built from its own package as a plugin author builds it."""
    package = REPOSITORY / "examples/git-watcher"
    result = subprocess.run(["swift", "build", "--package-path", str(package)], capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return package / ".build/debug/libaw-plugin-git.so"


def test_a_c_plugin_records_into_its_bucket(home):
    hello_plugin(home)
    config = home / "config.toml"
    config.write_text(DESKTOP_OFF + '[watchers.hello]\nenabled = true\ngreeting = "plugins"\npoll_time = 0.2\n')
    status, listing = plugins_listing(home, config)
    hello = next(entry for entry in listing if entry["path"].endswith("libaw-plugin-hello.so"))
    assert status == 0 and hello["abi_version"] == 1 and hello["problem"] is None
    assert hello["modules"] == [{"name": "hello", "enabled": True, "problem": None}]

    server = ServerProcess(home, free_port(), config=config, session=NO_DESKTOP).start()
    try:
        with ActivityWatchClient("aw-compat-plugins", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-hello_{client.get_info()['hostname']}"
            wait_for(lambda: events(client, bucket) and events(client, bucket)[0].duration.total_seconds() >= 0.6)
            assert [e.data for e in events(client, bucket)] == [{"hello": "plugins"}]
            assert client.get_buckets()[bucket]["type"] == "hello"
    finally:
        assert server.stop() == 0, server.log.read_text()
    assert "saying hello" in server.log.read_text()


@pytest.mark.skipif(not shutil.which("git"), reason="needs git (scripts/install-deps.sh test)")
def test_a_swift_plugin_package_records_and_runs_on_its_own(home, git_plugin):
    shutil.copy(git_plugin, plugin_folder(home))
    repository = home / "project"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repository)], check=True)
    config = home / "config.toml"
    config.write_text(DESKTOP_OFF + f'[watchers.git]\nenabled = true\npath = "{repository}"\npoll_time = 0.2\n')
    server = ServerProcess(home, free_port(), config=config, session=NO_DESKTOP).start()
    try:
        with ActivityWatchClient("aw-compat-plugins", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-git_{client.get_info()['hostname']}"

            def branches():
                return [e.data["branch"] for e in events(client, bucket)]

            wait_for(lambda: branches() == ["main"])
            subprocess.run(["git", "-C", str(repository), "checkout", "-q", "-b", "feature/login"], check=True)
            wait_for(lambda: branches() == ["main", "feature/login"])
            assert client.get_buckets()[bucket]["type"] == "app.vcs.branch"
    finally:
        assert server.stop() == 0, server.log.read_text()

    # The same plugin's module on its own, reporting over HTTP (`aw-server watch git`).
    other = ServerProcess(home, free_port(), db=home / "other.db").start()
    watcher = subprocess.Popen([SERVER_BINARY, "watch", "git", "--testing", "--port", str(other.port), "--config",
                                str(config)], env=other.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with ActivityWatchClient("aw-compat-plugins", testing=True, port=other.port) as client:
            bucket = f"aw-watcher-git_{client.get_info()['hostname']}"
            wait_for(lambda: [e.data["branch"] for e in events(client, bucket)] == ["feature/login"])
    finally:
        watcher.send_signal(signal.SIGTERM)
        output = watcher.communicate(timeout=20)[0].decode()
        assert other.stop() == 0
    assert watcher.returncode == 0, output


def test_a_plugins_configuration_error_stops_the_start_with_its_message(home, git_plugin):
    shutil.copy(git_plugin, plugin_folder(home))
    config = home / "config.toml"
    config.write_text("[watchers.git]\nenabled = true\n")
    result = subprocess.run([SERVER_BINARY, "--testing", "--port", str(free_port()), "--config", str(config)],
                            env=ServerProcess(home, 0).env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "watchers.git.path" in result.stderr


def test_an_isolated_module_is_restarted_after_a_crash_and_records_again(home):
    hello_plugin(home)
    config = home / "config.toml"
    config.write_text(DESKTOP_OFF + "[watchers.hello]\nenabled = true\nisolate = true\npoll_time = 0.2\n")
    server = ServerProcess(home, free_port(), config=config, session=NO_DESKTOP).start()

    def child() -> int | None:
        found = subprocess.run(["pgrep", "-f", f"watch hello .*--port {server.port}"], capture_output=True, text=True)
        pids = found.stdout.split()
        return int(pids[0]) if len(pids) == 1 else None

    try:
        with ActivityWatchClient("aw-compat-plugins", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-hello_{client.get_info()['hostname']}"
            wait_for(lambda: events(client, bucket))
            first = wait_for(child)
            os.kill(first, signal.SIGKILL)
            killed_at = time.time()
            second = wait_for(lambda: child() not in (None, first) and child(), timeout=30)
            assert second != first

            def recorded_after_the_crash():
                return [e for e in events(client, bucket) if e.timestamp.timestamp() > killed_at]

            wait_for(recorded_after_the_crash, timeout=30)
            assert all(e.data == {"hello": "world"} for e in events(client, bucket))
    finally:
        assert server.stop() == 0, server.log.read_text()
    log = server.log.read_text()
    assert "the hello watcher runs isolated" in log
    assert "module aw-watcher-hello crashed (signal 9 (SIGKILL)); restarting it in 2 s" in log
    assert child() is None, "the isolated module outlived the server"


ENTRY_ONLY = """
#include <aw_plugin.h>
static const aw_plugin plugin = {%(version)s, 0, 0};
const aw_plugin *aw_plugin_entry(void) { return &plugin; }
"""

FAILS_TO_START = """
#include <aw_plugin.h>
#include <string.h>
static void *start(const aw_module *m, const aw_host_api *api, aw_host *host, char **error) {
    *error = strdup("the sensor it reads is missing");
    return 0;
}
static void stop(const aw_module *m, void *instance) {}
static const aw_module modules[] = {{.name = "failing", .enabled_by_default = 1, .start = start, .stop = stop}};
static const aw_plugin plugin = {AW_PLUGIN_ABI_VERSION, 1, modules};
const aw_plugin *aw_plugin_entry(void) { return &plugin; }
"""


def test_plugins_that_cannot_be_used_are_reported_and_the_rest_runs(home):
    folder = plugin_folder(home)
    hello_plugin(home)
    shutil.copy(folder / "libaw-plugin-hello.so", folder / "libaw-plugin-hello2.so")  # a second "hello"
    (folder / "notes.so").write_text("not a library\n")
    compile_plugin("int nothing_here(void) { return 0; }\n", folder / "libno-entry.so")
    compile_plugin(ENTRY_ONLY % {"version": 99}, folder / "libnewer.so")
    compile_plugin(ENTRY_ONLY % {"version": 0}, folder / "libolder.so")
    compile_plugin(FAILS_TO_START, folder / "libfailing.so")
    # A plugin whose library is missing on this machine, as the desktop plugin is on a server
    # without libX11: linked against a library that is then removed.
    build = home / "build"
    build.mkdir()
    compile_plugin("int gone(void) { return 1; }\n", build / "libaw-gone.so")
    compile_plugin("int gone(void);\nint uses(void) { return gone(); }\n", folder / "libneeds-gone.so",
                   f"-L{build}", "-law-gone")
    shutil.rmtree(build)

    config = home / "config.toml"
    config.write_text(DESKTOP_OFF + "[watchers.hello]\nenabled = true\npoll_time = 0.2\n")
    status, listing = plugins_listing(home, config)
    assert status == 1
    by_file = {Path(entry["path"]).name: entry for entry in listing}
    problems = {name: by_file[name]["problem"] or "" for name in by_file}
    assert "cannot be loaded" in problems["notes.so"]
    assert "exports no function 'aw_plugin_entry'" in problems["libno-entry.so"]
    assert "ABI version 99, newer than this aw-server's 1" in problems["libnewer.so"]
    assert "ABI version 0, older than this aw-server's 1" in problems["libolder.so"]
    assert "libaw-gone.so" in problems["libneeds-gone.so"]
    assert by_file["libaw-plugin-hello2.so"]["modules"] == [{
        "name": "hello", "enabled": False,
        "problem": f"not used: 'hello' is provided by {folder / 'libaw-plugin-hello.so'}"}]
    assert by_file["libaw-plugin-hello.so"]["modules"][0]["problem"] is None
    assert by_file["libfailing.so"]["modules"] == [{"name": "failing", "enabled": True, "problem": None}]

    server = ServerProcess(home, free_port(), config=config, session=NO_DESKTOP).start()
    try:
        with ActivityWatchClient("aw-compat-plugins", testing=True, port=server.port) as client:
            bucket = f"aw-watcher-hello_{client.get_info()['hostname']}"
            wait_for(lambda: events(client, bucket))
    finally:
        assert server.stop() == 0, server.log.read_text()
    log = server.log.read_text()
    for name in ["notes.so", "libno-entry.so", "libnewer.so", "libolder.so", "libneeds-gone.so"]:
        lines = [line for line in log.splitlines() if f"plugin {folder / name}:" in line]
        assert len(lines) == 1, (name, log)
    assert f"plugin {folder / 'libaw-plugin-hello2.so'}, module 'hello': not used" in log
    assert (f"the failing module of the plugin {folder / 'libfailing.so'} did not start: "
            "the sensor it reads is missing") in log


@pytest.mark.parametrize("variable", ["AW_SERVER_BIN", "AW_SERVER_RELEASE_BIN"])
def test_the_server_binary_links_no_desktop_library(variable):
    binary = os.environ.get(variable) or (SERVER_BINARY if variable == "AW_SERVER_BIN" else None)
    if not binary or not Path(binary).exists():
        pytest.skip(f"{variable} names no built aw-server (scripts/test.sh sets it)")
    linked = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    for library in ["libX11", "libXss", "libwayland-client", "libdbus-1"]:
        assert library not in linked, linked
    desktop = Path(binary).with_name("libaw-plugin-desktop.so")
    if desktop.exists():  # the plugin carries them instead
        assert "libX11" in subprocess.run(["ldd", str(desktop)], capture_output=True, text=True).stdout


DESKTOP_LIBRARIES = ["libX11.so.6", "libXss.so.1", "libwayland-client.so.0", "libdbus-1.so.3"]


def test_a_headless_server_runs_where_the_desktop_libraries_are_missing(home):
    """The desktop libraries made unusable in a private mount namespace (each file covered by an
    empty one, so the loader cannot use it): the server starts, serves, and says once why the
    desktop plugin is not loaded."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to hide the desktop libraries in a mount namespace")
    paths = [str(path) for name in DESKTOP_LIBRARIES for path in Path("/usr/lib/x86_64-linux-gnu").glob(name)]
    assert len(paths) == len(DESKTOP_LIBRARIES), paths
    port = free_port()
    server = ServerProcess(home, port, session=NO_DESKTOP)
    hide = " && ".join(f"mount --bind /dev/null {path}" for path in paths)
    script = f'{hide} && exec "$0" --testing --port {port}'
    with open(server.log, "ab") as log:
        process = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                                    SERVER_BINARY], env=server.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def answers():
            assert process.poll() is None, server.log.read_text()
            try:
                return call(f"{server.url}/api/0/info")
            except OSError:
                return None

        wait_for(answers)
        with ActivityWatchClient("aw-compat-plugins", testing=True, port=port) as client:
            client.create_bucket("headless-test", "test")
            assert "headless-test" in client.get_buckets()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, server.log.read_text()
    lines = [line for line in server.log.read_text().splitlines() if "libaw-plugin-desktop.so: cannot be loaded" in line]
    # The loader names the first hidden library it needs (which one depends on the link order).
    assert len(lines) == 1 and any(library in lines[0] for library in DESKTOP_LIBRARIES), server.log.read_text()
