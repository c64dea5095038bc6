#!/usr/bin/env bash
# Builds the named products as every release build of the project is made (scripts/run.sh,
# scripts/package.sh, the tests and benchmarks): optimised, with the Swift runtime and Foundation
# linked in, so no file of the Swift toolchain is needed at run time, and without debug information.
# Options before the products go to `swift build`, e.g. --disable-default-traits (no PostgreSQL).
# Usage: scripts/release-build.sh [SWIFT_BUILD_OPTION...] PRODUCT...
set -euo pipefail
cd "$(dirname "$0")/.."
options=()
while [[ "${1:-}" == --* ]]; do
  options+=("$1")
  shift
done
for product in "$@"; do
  swift build -c release --static-swift-stdlib -debug-info-format none "${options[@]}" --product "$product" >&2
done
