"""The Debian package and the tarball `scripts/package.sh` builds, used as a user would: checked by
dpkg-deb and lintian, installed with apt-get, run by an unprivileged user with a fresh home on a
private X display with the Swift toolchain out of reach, and removed again. AW_PACKAGE_DIR names
the folder with the two files (scripts/test.sh builds them); installing needs root."""
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port, status_kib, wait_for
from test_autostart import desktop_exec
from test_watchers import XServer

PACKAGE_DIR = os.environ.get("AW_PACKAGE_DIR", "")
pytestmark = [
    pytest.mark.skipif(not PACKAGE_DIR, reason="needs AW_PACKAGE_DIR: the folder scripts/package.sh built into"),
    pytest.mark.skipif(os.getuid() != 0, reason="installing the package needs root"),
]
UUID = "aw-server-swift@activitywatch.net"
DESKTOP_LIBRARIES = ("libx11-6", "libxss1", "libwayland-client0", "libdbus-1-3")


def built(pattern: str) -> Path:
    found = sorted(Path(PACKAGE_DIR).glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {PACKAGE_DIR}, found {found}"
    return found[0]


def deb() -> Path:
    return built("aw-server-swift_*_amd64.deb")


def tarball() -> Path:
    return built("aw-server-swift-*-linux-x86_64.tar.gz")


def version_in_name() -> str:
    return re.fullmatch(r"aw-server-swift_(.+)_amd64\.deb", deb().name).group(1)


def toolchain_root() -> Path:
    """The Swift toolchain's folder (the one holding usr/bin/swift and usr/lib/swift)."""
    swift = shutil.which("swift")
    assert swift, "the Swift toolchain is not on PATH"
    return Path(os.path.realpath(swift)).parents[2]


def fields(control: str) -> dict:
    result = {}
    for line in control.splitlines():
        if line and not line.startswith(" ") and ":" in line:
            key, value = line.split(":", 1)
            result[key.strip()] = value.strip()
    return result


class User:
    """The unprivileged user `nobody` with a fresh home, whose programs see only a session's
    variables and none of the Swift toolchain (a private mount hides its folder)."""

    def __init__(self, display: str):
        self.folder = tempfile.TemporaryDirectory(prefix="aw-package-home-")
        self.home = Path(self.folder.name)
        os.chmod(self.home, 0o755)
        os.chown(self.home, 65534, 65534)
        self.display = display

    def command(self, arguments: list[str], path: str = "/usr/bin:/bin") -> list[str]:
        variables = [f"HOME={self.home}", f"PATH={path}", f"DISPLAY={self.display}", "XDG_SESSION_TYPE=x11",
                     "LANG=C.UTF-8", "MANPAGER=cat", "MANWIDTH=100"]
        hidden = str(toolchain_root())
        return (["unshare", "--mount", "--", "sh", "-c", 'mount -t tmpfs none "$0" && exec "$@"', hidden,
                 "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i", *variables, *arguments])

    def run(self, arguments: list[str], **options) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(arguments, **options), capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{arguments}: {result.stdout}{result.stderr}"
        return result

    def data_folder(self) -> Path:
        return self.home / ".local/share/activitywatch/aw-server-swift"

    def cleanup(self):
        self.folder.cleanup()


@pytest.fixture
def user():
    xserver = XServer()
    person = User(xserver.display)
    yield person, xserver
    xserver.stop()
    person.cleanup()


def use_like_a_new_user(person: User, xserver: XServer, bin_folder: Path, path: str, wait_for_idle: bool = False):
    """What a user does after installing: checks the version, installs the autostart entry,
    starts aw-server as the entry says, sees a window recorded and the API answer (with
    `wait_for_idle`, also sees its memory fall by half once the start is over), reads the manual.
    Returns the server's /api/0/info."""
    version = person.run([str(bin_folder / "aw-server"), "--version"], path=path).stdout.strip()
    assert version == f"v{version_in_name()} (swift)"
    assert person.run([str(bin_folder / "aw"), "--version"], path=path).stdout.strip() == version
    port = free_port()
    result = person.run([str(bin_folder / "aw-server"), "autostart", "install", "--", "--port", str(port)], path=path)
    entry = person.home / ".config/autostart/aw-server-swift.desktop"
    assert f"installed {entry}" in result.stdout
    command = desktop_exec(next(line[5:] for line in entry.read_text().splitlines() if line.startswith("Exec=")))
    assert command == [str(bin_folder / "aw-server"), "--port", str(port)]
    xserver.open_window("packaged-and-installed", "PackageCheck")
    server = subprocess.Popen(person.command(command, path=path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        base = f"http://127.0.0.1:{port}/api/0"

        def get(path_part):
            try:
                with urllib.request.urlopen(base + path_part, timeout=2) as response:
                    return json.load(response)
            except OSError:
                assert server.poll() is None, f"aw-server exited: {server.stdout.read()}"
                return None

        info = wait_for(lambda: get("/info"), timeout=30)
        assert info["version"] == version

        def recorded():
            events = get(f"/buckets/aw-watcher-window_{info['hostname']}/events?limit=5") or []
            return [event for event in events if event["data"].get("title") == "packaged-and-installed"]

        events = wait_for(recorded, timeout=30)
        assert events[0]["data"]["app"] == "PackageCheck"
        assert get(f"/buckets/aw-watcher-afk_{info['hostname']}/events?limit=1")
        if wait_for_idle:
            # Started by a user from a file only root can write: the pages only starting used
            # are handed back 30 s after start all the same.
            started = status_kib(server.pid, "VmRSS")
            wait_for(lambda: status_kib(server.pid, "VmRSS") < started / 2, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, server.stdout.read()
    manual = person.run(["man", "aw-server"], path=path).stdout
    assert "SYNOPSIS" in manual and "aw-server.serve(1)" in manual, manual[:2000]
    manual = person.run(["man", "aw-server.serve"], path=path).stdout
    assert "--port" in manual and "--no-watchers" in manual, manual[:2000]
    manual = person.run(["man", "aw-server.autostart.install"], path=path).stdout
    assert "--systemd" in manual, manual[:2000]
    return info


def test_package_holds_what_a_user_needs_and_starts_nothing_by_itself():
    info = subprocess.run(["dpkg-deb", "--info", str(deb())], capture_output=True, text=True, check=True).stdout
    control = fields(subprocess.run(["dpkg-deb", "--field", str(deb())], capture_output=True, text=True,
                                    check=True).stdout)
    assert control["Package"] == "aw-server-swift" and control["Architecture"] == "amd64"
    assert control["Version"] == version_in_name()
    depends = control["Depends"]
    assert "libsqlite3-0" in depends and "libpcre2-8-0" in depends, depends
    assert not any(library in depends for library in DESKTOP_LIBRARIES), depends
    recommends = control["Recommends"]
    assert all(library in recommends for library in DESKTOP_LIBRARIES), recommends
    # No maintainer scripts: installing enables nothing and starts nothing.
    assert not re.search(r"\b(postinst|preinst|prerm|postrm)\b", info), info
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb())], capture_output=True, text=True,
                             check=True).stdout
    paths = {line.split()[-1].removeprefix(".") for line in listing.splitlines()}
    for path in ["/usr/bin/aw-server", "/usr/bin/aw", "/usr/lib/aw-server-swift/plugins/libaw-plugin-desktop.so",
                 "/usr/share/man/man1/aw-server.1.gz", "/usr/share/man/man1/aw-server.serve.1.gz",
                 "/usr/share/man/man1/aw.1.gz", "/usr/share/bash-completion/completions/aw-server",
                 "/usr/share/bash-completion/completions/aw", "/usr/share/zsh/vendor-completions/_aw-server",
                 "/usr/share/fish/vendor_completions.d/aw-server.fish", "/usr/lib/systemd/user/aw-server-swift.service",
                 "/usr/share/aw-server-swift/aw-server-swift.desktop",
                 f"/usr/share/gnome-shell/extensions/{UUID}/extension.js",
                 f"/usr/share/gnome-shell/extensions/{UUID}/metadata.json",
                 "/usr/share/doc/aw-server-swift/copyright", "/usr/share/doc/aw-server-swift/changelog.gz"]:
        assert path in paths, f"{path} is not in the package"
    assert not any(path.startswith("/etc/") for path in paths), "the package starts something for every user"
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["dpkg-deb", "-x", str(deb()), folder], check=True)
        unit = (Path(folder) / "usr/lib/systemd/user/aw-server-swift.service").read_text().splitlines()
        assert "ExecStart=/usr/bin/aw-server" in unit and "WantedBy=graphical-session.target" in unit, unit
        entry = (Path(folder) / "usr/share/aw-server-swift/aw-server-swift.desktop").read_text().splitlines()
        assert "Exec=/usr/bin/aw-server" in entry, entry
        extension = json.loads((Path(folder) / f"usr/share/gnome-shell/extensions/{UUID}/metadata.json").read_text())
        assert extension["uuid"] == UUID


def test_lintian_finds_no_errors():
    if not shutil.which("lintian"):
        pytest.skip("needs lintian (scripts/install-deps.sh test)")
    result = subprocess.run(["lintian", "--fail-on", "error", str(deb())], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"^E: ", result.stdout, re.MULTILINE), result.stdout


def test_no_binary_needs_a_library_of_the_toolchain():
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["dpkg-deb", "-x", str(deb()), f"{folder}/deb"], check=True)
        with tarfile.open(tarball()) as archive:
            archive.extractall(f"{folder}/tarball", filter="data")
        binaries = [*Path(folder).glob("deb/usr/bin/*"), *Path(folder).glob("deb/usr/lib/aw-server-swift/plugins/*.so"),
                    *Path(folder).glob("tarball/*/bin/*"),
                    *Path(folder).glob("tarball/*/lib/aw-server-swift/plugins/*.so")]
        assert len(binaries) == 6, binaries
        toolchain = str(toolchain_root())
        for binary in binaries:
            linked = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
            assert toolchain not in linked and "libswift" not in linked and "Foundation" not in linked, linked
            assert "not found" not in linked, linked
            dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
            assert "RUNPATH" not in dynamic and "RPATH" not in dynamic, dynamic


def test_installed_package_works_for_a_new_user_and_its_removal_keeps_their_data(user):
    person, xserver = user
    subprocess.run(["apt-get", "remove", "-y", "-qq", "aw-server-swift"], capture_output=True)
    install = subprocess.run(["apt-get", "install", "-y", "-qq", str(deb())], capture_output=True, text=True,
                             env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert install.returncode == 0, install.stdout + install.stderr
    try:
        status = subprocess.run(["dpkg-query", "-W", "-f", "${Status} ${Version}", "aw-server-swift"],
                                capture_output=True, text=True).stdout
        assert status == f"install ok installed {version_in_name()}"
        use_like_a_new_user(person, xserver, Path("/usr/bin"), path="/usr/bin:/bin", wait_for_idle=True)
        # The installed plugin loads in the installed server with the toolchain hidden.
        plugins = json.loads(person.run(["aw-server", "plugins", "--json"]).stdout)
        assert [Path(entry["path"]).name for entry in plugins if entry["problem"] is None] == ["libaw-plugin-desktop.so"]
        completion = person.run(["bash", "-c", "source /usr/share/bash-completion/completions/aw-server && "
                                 "complete -p aw-server"]).stdout
        assert "aw-server" in completion
    finally:
        remove = subprocess.run(["apt-get", "remove", "-y", "-qq", "aw-server-swift"], capture_output=True, text=True)
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert not Path("/usr/bin/aw-server").exists() and not Path("/usr/lib/aw-server-swift").exists()
    assert not Path("/usr/lib/systemd/user/aw-server-swift.service").exists()
    databases = list(person.data_folder().glob("*.db"))
    assert databases, f"the user's data is gone from {person.data_folder()}"
    assert (person.home / ".config/autostart/aw-server-swift.desktop").exists()


def test_tarball_runs_from_wherever_it_is_unpacked(user):
    person, xserver = user
    unpacked = person.home / "Downloads with space"
    unpacked.mkdir()
    with tarfile.open(tarball()) as archive:
        names = archive.getnames()
        archive.extractall(unpacked, filter="data")
    top = {name.split("/")[0] for name in names}
    assert top == {tarball().name.removesuffix(".tar.gz")}, top
    for folder, _, _ in os.walk(person.home):
        os.chown(folder, 65534, 65534)
    root = unpacked / top.pop()
    for path in ["bin/aw-server", "bin/aw", "lib/aw-server-swift/plugins/libaw-plugin-desktop.so",
                 "share/man/man1/aw-server.1.gz", "share/bash-completion/completions/aw-server",
                 f"share/gnome-shell/extensions/{UUID}/extension.js", "share/doc/aw-server-swift/copyright"]:
        assert (root / path).exists(), f"{path} is not in the tarball"
    # On PATH as a user adds it: `man` finds the pages through bin/../share/man.
    use_like_a_new_user(person, xserver, root / "bin", path=f"{root / 'bin'}:/usr/bin:/bin")
