#!/usr/bin/env bash
# The whole test suite, on a fresh machine:
#   1. installs missing Debian packages, checks formatting (scripts/format.sh --check),
#   2. builds and runs the Swift test suites (datastore on real SQLite files and on a private
#      PostgreSQL cluster, HTTP in process and over live sockets, the watchers on private Xvfb +
#      openbox displays driven by xdotool, in headless sway sessions driven by swaymsg and wtype,
#      under headless KWin, and under headless GNOME Shell with the project's extension),
#   3. runs the compatibility tests: the real Python aw-client from PyPI against a live aw-server
#      (also with its watchers on Xvfb), the CLI and examples, plugins built as their authors build
#      them (a C file, the git watcher's own package) and loaded, isolated and refused, the import of a database made by the
#      reference Python aw-server, watchers from PyPI under the host, the kill -9 crash test,
#      hostile input against the debug and the release build, the dashboard in headless Chromium, and
#      the Debian package and the tarball (scripts/package.sh) installed, used and removed,
#   4. fuzzes the REST API against its OpenAPI document with Schemathesis,
#   5. fuzzes the parsers with libFuzzer + AddressSanitizer, AW_FUZZ_SECONDS (default 20) per target,
# and ends with one summary of every part: passed, failed and skipped, and the minutes each step
# took. With CI=true (as CI runs it) a test that would be skipped for a missing tool, service or
# permission fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=.build/test-logs
mkdir -p "$logs"
summary="$logs/summary.txt"
: >"$summary"
note() { printf '  %-22s %s\n' "$1" "$2" >>"$summary"; }
# Each step's wall time, so that a slow machine's run shows where its time went.
steps="$logs/steps.txt"
: >"$steps"
step="" step_start=$SECONDS
begin() {
  [[ -n "$step" ]] && printf '  %6.1f min  %s\n' "$(((SECONDS - step_start) * 10 / 60))e-1" "$step" >>"$steps"
  step="$1" step_start=$SECONDS
  [[ -n "$step" ]] && echo "== $step" >&2
  return 0
}
cluster=""
finish() {
  local status=$? running="$step"
  begin ""
  [[ -n "$cluster" ]] && { scripts/postgres-cluster.sh stop "$cluster" 2>/dev/null || true; rm -rf "$cluster"; }
  echo "== summary (logs in $logs/)" >&2
  cat "$summary" >&2
  echo "== time per step ($((SECONDS / 60)) min in all)" >&2
  cat "$steps" >&2
  if [[ $status -eq 0 ]]; then
    echo "== all tests passed" >&2
  else
    echo "== FAILED (exit $status) in: $running" >&2
  fi
}
trap finish EXIT
# Stopped from outside (a CI time limit, Ctrl-C): the summary says so, and names the step.
trap 'exit 143' TERM
trap 'exit 130' INT

begin "installing missing Debian packages (scripts/install-deps.sh test)"
scripts/install-deps.sh test

begin "formatting"
scripts/format.sh --check

begin "generated Wayland protocol code (scripts/wayland-protocols.sh --check)"
scripts/wayland-protocols.sh --check

begin "swift build"
swift build --build-tests
# The first-party desktop plugin, which aw-server loads from beside itself.
swift build --product aw-plugin-desktop
# The Debian package and the tarball, of the build scripts/run.sh makes (release, the package
# traits off: packaged the same way, built in a third of the time): test_package.py installs and
# uses them, test_minimal_build.py checks what that build leaves out, and the hostile-input tests
# run against its aw-server too (an optimised build recurses differently).
begin "scripts/package.sh --minimal .build/dist (release, scripts/run.sh's configuration)"
rm -rf .build/dist
scripts/package.sh --minimal .build/dist

begin "private PostgreSQL cluster (scripts/postgres-cluster.sh)"
cluster="$(mktemp -d /tmp/aw-test-postgres.XXXXXX)"
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
AW_TEST_POSTGRES_URL="$(scripts/postgres-cluster.sh start "$cluster" "$pg_port")"
export AW_TEST_POSTGRES_URL

# The watcher suites time X11 and Wayland events to fractions of a second: they run first, on
# their own, so that the heavy suites (fuzz inputs, hostile queries, PostgreSQL load) cannot
# starve them; the GNOME suite runs after the others, as each GNOME Shell start takes the
# machine's cores for a few seconds.
begin "swift test: the watchers on private X displays, headless sway and KWin"
status=0
swift test --skip-build --filter AWWatcherTests --skip GnomeWatcherTests 2>&1 | tee "$logs/swift-watchers.log" ||
  status=$?
note "Swift watcher tests" "$(scripts/test-summary.py swift "$logs/swift-watchers.log")"
[[ $status -eq 0 ]] || exit "$status"
begin "swift test: the watchers under headless GNOME Shell"
swift test --skip-build --filter GnomeWatcherTests 2>&1 | tee "$logs/swift-gnome.log" || status=$?
note "Swift GNOME tests" "$(scripts/test-summary.py swift "$logs/swift-gnome.log")"
[[ $status -eq 0 ]] || exit "$status"
begin "swift test: everything else (datastore and REST suites on SQLite and on PostgreSQL)"
swift test --skip-build --skip AWWatcherTests 2>&1 | tee "$logs/swift.log" || status=$?
note "Swift tests" "$(scripts/test-summary.py swift "$logs/swift.log")"
[[ $status -eq 0 ]] || exit "$status"

begin "compatibility tests (Python aw-client $(grep -m1 '^aw-client' Tests/compat/requirements.txt))"
venv=.venv-compat
stamp="$venv/.requirements"
if ! cmp -s Tests/compat/requirements.txt "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/compat/requirements.txt
  cp Tests/compat/requirements.txt "$stamp"
fi
AW_SERVER_BIN="$PWD/.build/debug/aw-server" AW_SERVER_RELEASE_BIN="$PWD/.build-minimal/release/aw-server" \
  AW_PACKAGE_DIR="$PWD/.build/dist" AW_MINIMAL_BUILD_DIR="$PWD/.build-minimal/release" \
  "$venv/bin/python" -m pytest -q -rs --durations=15 -p no:cacheprovider Tests/compat 2>&1 | tee "$logs/compat.log" || status=$?
note "Python tests" "$(scripts/test-summary.py pytest "$logs/compat.log")"
[[ $status -eq 0 ]] || exit "$status"

begin "contract fuzzing (Schemathesis against /api/0/openapi.json)"
Tests/contract/run.sh .build/debug/aw-server 2>&1 | tee "$logs/contract.log" || status=$?
note "Schemathesis" "$(scripts/test-summary.py schemathesis "$logs/contract.log")"
[[ $status -eq 0 ]] || exit "$status"

begin "parser fuzzing (libFuzzer + AddressSanitizer, Fuzz/run.sh)"
Fuzz/run.sh --seconds "${AW_FUZZ_SECONDS:-20}" 2>&1 | tee "$logs/fuzz.log" || status=$?
note "fuzzing" "$(scripts/test-summary.py fuzz "$logs/fuzz.log")"
exit "$status"
