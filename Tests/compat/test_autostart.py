"""`aw-server autostart install|uninstall`: the files it writes are valid for their tools
(desktop-file-validate, systemd-analyze) and start a working aw-server with the given arguments."""
import json
import os
import shlex
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import SERVER_BINARY, free_port


def aw_server(*args, env):
    return subprocess.run([SERVER_BINARY, *args], env=env, capture_output=True, text=True, timeout=30)


@pytest.fixture
def env(home):
    return dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                XDG_CACHE_HOME=str(home / "cache"))


def run_until_answering(command, env, port):
    """Starts `command`, waits until it answers /api/0/info on `port`, and stops it."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/0/info", timeout=1) as response:
                    return json.load(response)
            except OSError:
                assert process.poll() is None, "aw-server exited"
                time.sleep(0.1)
        raise AssertionError("no answer")
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0


def desktop_exec(value):
    """The command line of a desktop entry's Exec value, read as the Desktop Entry Specification
    says: the string escapes first, then quoted arguments with \\", \\`, \\$ and \\\\ inside them."""
    text = value.replace("\\\\", "\\")
    arguments, current, quoted, i = [], None, False, 0
    while i < len(text):
        c = text[i]
        if quoted and c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            current += text[i + 1]
            i += 1
        elif c == '"':
            quoted, current = not quoted, current or ""
        elif c == " " and not quoted:
            if current is not None:
                arguments.append(current)
            current = None
        else:
            current = (current or "") + c
        i += 1
    if current is not None:
        arguments.append(current)
    return [argument.replace("%%", "%") for argument in arguments]


def test_xdg_entry_starts_the_server_with_its_arguments(home, env):
    port = free_port()
    database = home / "my data" / "aw 100% $HOME.db"
    database.parent.mkdir()
    result = aw_server("autostart", "install", "--", "--port", str(port), "--no-watchers", "--dbpath", str(database),
                       env=env)
    assert result.returncode == 0, result.stderr
    entry = home / "config" / "autostart" / "aw-server-swift.desktop"
    assert f"installed {entry}" in result.stdout
    text = entry.read_text()
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("needs desktop-file-validate (scripts/install-deps.sh test installs desktop-file-utils)")
    check = subprocess.run([validator, str(entry)], capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout == "", check.stdout + check.stderr
    command = desktop_exec(next(line[5:] for line in text.splitlines() if line.startswith("Exec=")))
    assert os.path.realpath(command[0]) == os.path.realpath(SERVER_BINARY)
    assert command[1:] == ["--port", str(port), "--no-watchers", "--dbpath", str(database)]
    run_until_answering(command, env, port)
    assert database.exists()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze (scripts/install-deps.sh test)")
def test_systemd_unit_is_valid_and_bound_to_the_graphical_session(home, env):
    result = aw_server("autostart", "install", "--systemd", "--", "--testing", "--config", str(home / "a b.toml"),
                       env=env)
    assert result.returncode == 0, result.stderr
    unit = home / "config" / "systemd" / "user" / "aw-server-swift.service"
    check = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert check.stderr.strip() == "", check.stderr
    lines = unit.read_text().splitlines()
    assert "WantedBy=graphical-session.target" in lines and "Restart=on-failure" in lines
    command = shlex.split(next(line[10:] for line in lines if line.startswith("ExecStart=")))
    assert os.path.realpath(command[0]) == os.path.realpath(SERVER_BINARY)
    assert command[1:] == ["--testing", "--config", str(home / "a b.toml")]


def test_uninstall_removes_both_and_says_when_nothing_is_there(home, env):
    assert aw_server("autostart", "install", env=env).returncode == 0
    assert aw_server("autostart", "install", "--systemd", env=env).returncode == 0
    result = aw_server("autostart", "uninstall", env=env)
    assert result.returncode == 0
    assert not (home / "config" / "autostart" / "aw-server-swift.desktop").exists()
    assert not (home / "config" / "systemd" / "user" / "aw-server-swift.service").exists()
    assert "nothing" not in result.stdout and result.stdout.count("removed ") == 2
    assert "no autostart entry was installed" in aw_server("autostart", "uninstall", env=env).stdout


def test_install_into_an_unwritable_place_is_a_clear_error(home, env):
    (home / "config").mkdir()
    (home / "config" / "autostart").write_text("not a directory")
    result = aw_server("autostart", "install", env=env)
    assert result.returncode != 0
    assert result.stderr.startswith("aw-server: cannot write ") and "autostart" in result.stderr


def test_example_files_are_valid():
    examples = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "autostart")
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", os.path.join(examples, "aw-server-swift.desktop")],
                               capture_output=True, text=True)
        assert check.returncode == 0 and check.stdout == "", check.stdout
    if shutil.which("systemd-analyze"):
        check = subprocess.run(["systemd-analyze", "verify", os.path.join(examples, "aw-server-swift.service")],
                               capture_output=True, text=True)
        assert "graphical-session" not in check.stderr and "Failed" not in check.stderr, check.stderr


def test_install_on_gnome_wayland_names_the_shell_extension_until_it_is_installed(home, env):
    gnome = dict(env, XDG_CURRENT_DESKTOP="ubuntu:GNOME", WAYLAND_DISPLAY="wayland-0", XDG_SESSION_TYPE="wayland")
    hint = "aw-server gnome-extension install"
    assert hint in aw_server("autostart", "install", env=gnome).stdout
    assert hint not in aw_server("autostart", "install", env=dict(gnome, XDG_CURRENT_DESKTOP="KDE")).stdout
    assert aw_server("gnome-extension", "install", "--shell-version", "43", env=gnome).returncode == 0
    assert hint not in aw_server("autostart", "install", env=gnome).stdout


def test_show_prints_what_install_writes_for_any_binary(home, env):
    for mechanism, path in [("--xdg", "autostart/aw-server-swift.desktop"),
                            ("--systemd", "systemd/user/aw-server-swift.service")]:
        installed = aw_server("autostart", "install", mechanism, "--", "--port", "5601", env=env)
        assert installed.returncode == 0, installed.stderr
        shown = aw_server("autostart", "show", mechanism, "--", "--port", "5601", env=env)
        assert shown.returncode == 0 and shown.stdout == (home / "config" / path).read_text()
        elsewhere = aw_server("autostart", "show", mechanism, "--executable", "/usr/bin/aw-server", env=env).stdout
        assert "=/usr/bin/aw-server\n" in elsewhere and SERVER_BINARY not in elsewhere
