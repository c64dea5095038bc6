#!/usr/bin/env bash
# Builds aw-server, its desktop watcher plugin and the aw command line (release) and runs aw-server with its defaults: http://127.0.0.1:5600, database in
# $XDG_DATA_HOME/activitywatch/aw-server-swift/. Extra arguments go to aw-server (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
swift build -c release --product aw-server >&2
swift build -c release --product aw-plugin-desktop >&2
swift build -c release --product aw >&2
exec .build/release/aw-server "$@"
