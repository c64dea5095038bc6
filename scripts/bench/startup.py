#!/usr/bin/env python3
"""What a user downloads and how soon the server answers: the sizes of the Debian package, the
tarball and the binaries in it, and the time from starting `aw-server` (from the unpacked tarball,
with its watchers on a private Xvfb display) to the first answer of GET /api/0/info, side by side
with the reference Python aw-server (scripts/bench/requirements-reference.txt, in .venv-bench):

  first  a new user's first start: an empty home (config, database and device id are created)
  warm   a later start, the program's files in the page cache
  cold   a later start with the program's files (the binaries and libraries, or the reference's
         interpreter, standard library and venv) dropped from the page cache first

Usage: scripts/package.sh .build/dist && scripts/bench/startup.py [--dist .build/dist] [--runs 10]
(scripts/bench.sh makes .venv-bench; without it the reference is left out.)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

from local_port import free_port

ROOT = Path(__file__).resolve().parents[2]


def evict(paths):
    """Drops the files' pages from the page cache (posix_fadvise DONTNEED on each file)."""
    for top in paths:
        top = Path(top)
        files = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file() and not p.is_symlink()]
        for file in files:
            try:
                fd = os.open(file, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def linked_libraries(binary: Path) -> list[str]:
    output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    return [part.split()[2] for part in output.splitlines() if "=>" in part and len(part.split()) > 2]


def first_answer(command, home: Path, port: int, display: str) -> float:
    """Seconds from starting `command` to the first answer of /api/0/info; stops it after."""
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "DISPLAY": display, "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache")}
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/0/info", timeout=5) as response:
                    response.read()
                return time.perf_counter() - start
            except OSError:
                if process.poll() is not None:
                    raise SystemExit(f"{command[0]} exited with {process.returncode}")
                if time.perf_counter() - start > 60:
                    raise SystemExit(f"{command[0]} did not answer in 60 s")
                time.sleep(0.001)
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(name, make_command, files, runs, display):
    """Median and range of the first, warm and cold starts of one server."""
    results = {}
    for kind in ("first", "warm", "cold"):
        times = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix=f"aw-startup-{name}-") as folder:
                home = Path(folder)
                if kind != "first":
                    port = free_port()
                    first_answer(make_command(port), home, port, display)
                if kind == "cold":
                    evict(files)
                port = free_port()
                times.append(first_answer(make_command(port), home, port, display))
        results[kind] = times
        print(f"  {name:<10} {kind:<5} median {statistics.median(times) * 1000:8.1f} ms "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {runs} runs)", file=sys.stderr)
    return {kind: statistics.median(times) for kind, times in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", default=str(ROOT / ".build/dist"), help="the folder scripts/package.sh built into")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    dist = Path(args.dist)
    debs = sorted(dist.glob("aw-server-swift_*_amd64.deb"))
    tarballs = sorted(dist.glob("aw-server-swift-*-linux-x86_64.tar.gz"))
    if len(debs) != 1 or len(tarballs) != 1:
        raise SystemExit(f"expected one package and one tarball in {dist}: run scripts/package.sh {dist}")
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    display = ":" + xvfb.stdout.readline().decode().strip()
    try:
        with tempfile.TemporaryDirectory(prefix="aw-startup-unpacked-") as folder:
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(folder, filter="data")
            top = next(Path(folder).iterdir())
            binary = top / "bin/aw-server"
            plugin = top / "lib/aw-server-swift/plugins/libaw-plugin-desktop.so"
            mib = 1024 * 1024
            print(f"sizes: package {debs[0].stat().st_size / mib:.1f} MiB, tarball {tarballs[0].stat().st_size / mib:.1f} MiB, "
                  f"aw-server {binary.stat().st_size / mib:.1f} MiB, aw {(top / 'bin/aw').stat().st_size / mib:.1f} MiB, "
                  f"desktop plugin {plugin.stat().st_size / mib:.1f} MiB, installed "
                  f"{sum(p.stat().st_size for p in top.rglob('*') if p.is_file()) / mib:.1f} MiB")
            print("time from start to the first answer of /api/0/info:")
            ours = measure("swift", lambda port: [str(binary), "--port", str(port)],
                           [binary, plugin, *linked_libraries(binary), *linked_libraries(plugin)], args.runs, display)
            reference = ROOT / ".venv-bench/bin/aw-server"
            theirs = None
            if reference.exists():
                python = Path(os.path.realpath(ROOT / ".venv-bench/bin/python"))
                stdlib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                                             capture_output=True, text=True, check=True).stdout.strip())
                theirs = measure("reference", lambda port: [str(reference), "--port", str(port)],
                                 [python, stdlib, ROOT / ".venv-bench", *linked_libraries(python)], args.runs, display)
            for kind in ("first", "warm", "cold"):
                line = f"  {kind:<5} swift {ours[kind] * 1000:7.1f} ms"
                if theirs:
                    line += f"   reference {theirs[kind] * 1000:7.1f} ms   reference / swift {theirs[kind] / ours[kind]:5.1f}x"
                print(line)
            if not theirs:
                print("  (no .venv-bench: run scripts/bench.sh once for the reference server)")
    finally:
        xvfb.kill()
        xvfb.wait()


if __name__ == "__main__":
    main()
