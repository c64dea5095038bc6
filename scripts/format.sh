#!/usr/bin/env bash
# Formats the Swift sources with swift-format (settings in .swift-format).
# Usage: scripts/format.sh          format in place
#        scripts/format.sh --check  change nothing; fail if any file is not formatted
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.swift')  # new files too
if [[ "${1:-}" == "--check" ]]; then
  unformatted=()
  for file in $files; do
    if ! swift format "$file" | cmp -s - "$file"; then unformatted+=("$file"); fi
  done
  if [[ ${#unformatted[@]} -gt 0 ]]; then
    printf 'not formatted (run scripts/format.sh):\n'; printf '  %s\n' "${unformatted[@]}"
    exit 1
  fi
  echo "all Swift files are formatted"
else
  swift format --in-place $files
fi
