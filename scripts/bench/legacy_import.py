#!/usr/bin/env python3
"""Import speed of `aw-server import-legacy`: an aw-server-rust database (schema 5) with N events
in a few buckets, made here with sqlite3, imported into a new aw-server-swift database. Prints
events/s and the importer's peak RSS (the import is streamed, so it should not grow with N).

Usage: scripts/release-build.sh aw-server && scripts/bench/legacy_import.py [--events 1000000]
       [--binary .build/release/aw-server] [--postgres URL]
With --postgres (a server where the user may create databases, e.g. the one
scripts/postgres-cluster.sh prints) it imports into a new database there instead, dropped after.
"""
import argparse
import json
import os
import resource
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def make_database(path: Path, events: int, buckets: int = 4):
    db = sqlite3.connect(path)
    db.executescript((Path(__file__).resolve().parents[2] / "Tests/compat/aw-server-rust-schema.sql").read_text())
    for b in range(buckets):
        db.execute("INSERT INTO buckets (name, type, client, hostname, created) VALUES (?, 'currentwindow', 'bench', 'h', "
                   "'2024-01-01 00:00:00+00:00')", (f"bucket-{b}",))
    start = 1_704_067_200_000_000_000
    per_bucket = events // buckets

    def rows():
        for b in range(buckets):
            for i in range(per_bucket):
                t = start + i * 5_000_000_000
                yield (b + 1, t, t + 4_000_000_000,
                       json.dumps({"app": f"App{i % 13}", "title": f"Window {i % 997} — project"}, separators=(",", ":")))

    db.executemany("INSERT INTO events (bucketrow, starttime, endtime, data) VALUES (?, ?, ?, ?)", rows())
    db.commit()
    db.close()
    return per_bucket * buckets


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--binary", default=str(Path(__file__).resolve().parents[2] / ".build/release/aw-server"))
    parser.add_argument("--postgres", help="import into a new database on this PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aw-legacy-bench-") as directory:
        source = Path(directory) / "sqlite.db"
        count = make_database(source, args.events)
        if args.postgres:
            name = f"aw_legacy_bench_{os.getpid()}"
            subprocess.run(["psql", "-q", "-d", args.postgres, "-c", f"CREATE DATABASE {name}"], check=True)
            parts = urlsplit(args.postgres)
            target = ["--postgres", urlunsplit(parts._replace(path=f"/{name}"))]
        else:
            target = ["--dbpath", str(Path(directory) / "new.db")]
        began = time.monotonic()
        run = subprocess.run([args.binary, "import-legacy", str(source), *target], capture_output=True, text=True)
        elapsed = time.monotonic() - began
        if args.postgres:
            subprocess.run(["psql", "-q", "-d", args.postgres, "-c", f"DROP DATABASE {name}"], check=True)
        if run.returncode != 0:
            raise SystemExit(run.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(run.stdout.strip().splitlines()[-1].strip())
        print(f"imported {count:,} events in {elapsed:.2f} s: {count / elapsed:,.0f} events/s, importer peak RSS {peak:.1f} MiB "
              f"(source {source.stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
