#!/usr/bin/env bash
# Builds aw-server and its desktop watcher plugin (release, scripts/release-build.sh) and runs
# aw-server with its defaults: http://127.0.0.1:5600, database in
# $XDG_DATA_HOME/activitywatch/aw-server-swift/. Extra arguments go to aw-server (try --help).
# Only what running needs is built first: the build leaves out the PostgreSQL datastore and HTTPS
# for watchers reporting to a remote server (each needs a BoringSSL of its own;
# `scripts/release-build.sh aw-server` builds both in), and
# the `aw` command line is built after the server starts, at low priority, into .build/release/aw
# (its build's output goes to .build/aw-build.log).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
build=(scripts/release-build.sh --disable-default-traits)
"${build[@]}" aw-server aw-plugin-desktop
(sleep 1 && nice -n 19 "${build[@]}" aw >.build/aw-build.log 2>&1 &)
exec .build/release/aw-server "$@"
