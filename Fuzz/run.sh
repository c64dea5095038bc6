#!/usr/bin/env bash
# Fuzzes aw-server's parsers with libFuzzer and AddressSanitizer.
#
#   Fuzz/run.sh [--seconds N] [--seed N] [--release] [TARGET...]
#
# Targets (default: all): query json events timestamp config multipart shapes (deep and long
# documents for the others, expanded from small recipes; see Fuzz/Targets/ShapeFuzzing.swift). Each runs N seconds
# (default 20; the test suite's bounded run) starting from the stored seeds in Fuzz/corpus/TARGET
# and the regression inputs in Fuzz/regressions/TARGET; inputs that reach new code are kept in
# .build/fuzz/corpus/TARGET for the next run. A crash, sanitizer report, time-out or broken
# promise stops the target, is saved in .build/fuzz/findings/TARGET/ and fails the run; keep it
# as a regression test by copying it into Fuzz/regressions/TARGET/ once fixed.
# --seed fixes libFuzzer's random seed (default 1, so the test suite's run is repeatable; 0 picks
# a new one each run). The longer run before a release: Fuzz/run.sh --release --seed 0 --seconds 1800
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
seed=1
configuration=debug
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --release) configuration=release; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    query|json|events|timestamp|config|multipart|shapes) targets+=("$1"); shift ;;
    *) echo "Fuzz/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(query json events timestamp config multipart shapes)

echo "== building aw-fuzz ($configuration, libFuzzer + AddressSanitizer)" >&2
mkdir -p .build/fuzz
# One combined -sanitize= for Swift: of several, swiftc keeps only the last (and SwiftPM's own
# --sanitize flags come in no fixed order), which would lose either the coverage or ASan.
if ! swift build -c "$configuration" --product aw-fuzz --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address \
  -Xcc -fsanitize=address -Xswiftc -DFUZZING --build-path .build-fuzz >.build/fuzz/build.log 2>&1; then
  grep -E "error:" .build/fuzz/build.log >&2 || tail -20 .build/fuzz/build.log >&2
  exit 1
fi
binary=".build-fuzz/$configuration/aw-fuzz"

failed=()
for target in "${targets[@]}"; do
  work=".build/fuzz/corpus/$target"
  findings=".build/fuzz/findings/$target"
  log=".build/fuzz/logs/$target.log"
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  corpora=("$work" "Fuzz/corpus/$target")
  [ -d "Fuzz/regressions/$target" ] && corpora+=("Fuzz/regressions/$target")
  status=0
  AW_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no "$binary" "${corpora[@]}" \
    -dict="Fuzz/dictionaries/$target.dict" -max_total_time="$seconds" -seed="$seed" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  if [ "$status" -eq 0 ]; then
    printf '%-10s %10s inputs in %ss, %s, corpus %s files\n' "$target" "${runs:-?}" "$seconds" "${coverage:-cov: ?}" \
      "$(find "$work" -type f | wc -l)" >&2
  else
    failed+=("$target")
    echo "$target: FINDING (exit $status); input saved in $findings/, log $log:" >&2
    grep -E "ERROR|fuzz finding|Fatal error|SUMMARY|Test unit written|==[0-9]+==" "$log" | head -20 >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (replay an input with: .build/debug/aw-fuzz TARGET FILE)" >&2
  exit 1
fi
