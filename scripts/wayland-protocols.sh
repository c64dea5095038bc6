#!/usr/bin/env bash
# Generates the C code of the Wayland protocols the watchers speak (protocols/*.xml) into
# Sources/CWaylandProtocols with wayland-scanner (Debian: libwayland-bin). The output is committed,
# because SwiftPM cannot run wayland-scanner during a build.
# Usage: scripts/wayland-protocols.sh           regenerate
#        scripts/wayland-protocols.sh --check   fail when the committed files differ from a fresh run
set -euo pipefail
cd "$(dirname "$0")/.."
target=Sources/CWaylandProtocols
out="$target"
if [[ "${1:-}" == "--check" ]]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  mkdir -p "$out/include"
fi
for xml in protocols/*.xml; do
  name="$(basename "$xml" .xml)"
  wayland-scanner client-header "$xml" "$out/include/$name-client-protocol.h"
  wayland-scanner private-code "$xml" "$out/$name-protocol.c"
done
if [[ "${1:-}" == "--check" ]]; then
  for file in "$out"/*.c "$out"/include/*-client-protocol.h; do
    committed="$target/${file#"$out"/}"
    if ! cmp -s "$file" "$committed"; then
      echo "$committed is not what wayland-scanner $(wayland-scanner --version 2>&1 | awk '{print $NF}') makes of protocols/: run scripts/wayland-protocols.sh" >&2
      exit 1
    fi
  done
  echo "the generated Wayland protocol code matches protocols/*.xml" >&2
fi
