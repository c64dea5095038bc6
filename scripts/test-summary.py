#!/usr/bin/env python3
"""One line of passed / failed / skipped counts from a part of scripts/test.sh, read from its log.

Usage: scripts/test-summary.py swift|pytest|schemathesis|fuzz LOG
"""
import re
import sys


def swift(text: str) -> str:
    total = re.findall(r"Test run with (\d+) tests? in \d+ suites? (passed|failed)", text)
    failed = len(re.findall(r'^\S+ Test "[^\n]*?" (?:with \d+ test cases? )?failed after', text, re.M))
    skipped = len(re.findall(r'^\S+ Test "[^\n]*?" skipped', text, re.M))
    if not total:
        return "no result (the run did not finish; see the log)"
    tests = int(total[-1][0])
    return f"{tests} tests: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped"


def pytest(text: str) -> str:
    lines = [line for line in text.splitlines() if re.search(r"\d+ (passed|failed|error|skipped)", line)]
    if not lines:
        return "no result (the run did not finish; see the log)"
    counts = dict((kind, int(number)) for number, kind in re.findall(r"(\d+) (passed|failed|skipped|errors?)", lines[-1]))
    errors = counts.get("error", 0) + counts.get("errors", 0)
    return (f"{counts.get('passed', 0)} passed, {counts.get('failed', 0) + errors} failed, "
            f"{counts.get('skipped', 0)} skipped")


def schemathesis(text: str) -> str:
    passed = re.search(r"contract fuzzing passed: (\d+) generated test cases over (\d+) operations", text)
    if passed:
        return f"{passed.group(1)} generated requests over {passed.group(2)} operations: passed, 0 failed, 0 skipped"
    cases = re.search(r"Test cases:[^\n]*", text)
    return f"failed ({cases.group(0).strip() if cases else 'see the log'})"


def fuzz(text: str) -> str:
    runs = re.findall(r"^(\w+)\s+(\d+) inputs in (\d+)s", text, re.M)
    findings = re.findall(r"^(\w+): FINDING", text, re.M)
    inputs = sum(int(count) for _, count, _ in runs)
    return (f"{len(runs) + len(findings)} targets, {inputs:,} inputs: {len(runs)} passed, "
            f"{len(findings)} failed{' (' + ', '.join(findings) + ')' if findings else ''}, 0 skipped")


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    print({"swift": swift, "pytest": pytest, "schemathesis": schemathesis, "fuzz": fuzz}[kind](open(path).read()))
