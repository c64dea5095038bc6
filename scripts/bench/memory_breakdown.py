#!/usr/bin/env python3
"""Where a running process's resident memory is: by mapping (from /proc/PID/smaps: the binary, each
library, the heap and other anonymous memory, split into its own pages and pages mapped from
files), and, for the executable and each shared library built with symbols whose path matches
--modules, by the code module that owns each resident page (from /proc/PID/pagemap and the
file's symbol table: Swift modules by their mangled names, the Swift runtime, SQLite, BoringSSL,
other C and C++; "(no symbol)" is the loader's relocation and symbol tables, unwind tables and
Swift's metadata sections). Reading pagemap needs root or the process's own user.

Usage: scripts/bench/memory_breakdown.py PID [--modules aw-server,libaw-plugin-desktop] [--top 15]
"""
import argparse
import collections
import re
import struct
import subprocess
from pathlib import Path

PAGE = 4096


def mappings(pid):
    """(resident KiB, anonymous KiB) per mapping name, from smaps."""
    resident, anonymous = collections.Counter(), collections.Counter()
    name = None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and re.fullmatch(r"[0-9a-f]+-[0-9a-f]+", fields[0]):
            name = fields[5] if len(fields) > 5 else "[anonymous]"
        elif fields and fields[0] == "Rss:":
            resident[name] += int(fields[1])
        elif fields and fields[0] == "Anonymous:":
            anonymous[name] += int(fields[1])
    return resident, anonymous


def module_of(symbol):
    """The module a symbol belongs to, from its name."""
    swift = re.match(r"_?\$s(\d+)(\w+)", symbol)
    if swift:
        return swift.group(2)[:int(swift.group(1))]
    if symbol.startswith(("swift_", "_swift", "$ss")):
        return "Swift runtime"
    if symbol.startswith("sqlite3"):
        return "SQLite"
    if "BoringSSL" in symbol:
        return "BoringSSL"
    if "icu" in symbol.lower():
        return "ICU"
    return "C++" if symbol.startswith("_Z") else "other C"


def resident_modules(pid, path):
    """MiB of resident pages of the file `path` in process `pid`, per owning module."""
    spans = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[5] == path:
            low, high = (int(x, 16) for x in fields[0].split("-"))
            spans.append((low, high, int(fields[2], 16)))
    if not spans:
        return {}
    bias = min(low - offset for low, _, offset in spans)
    # The resident pages first (their addresses in the file's own numbering), read at once.
    present = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for low, high, _ in spans:
            pagemap.seek(low // PAGE * 8)
            entries = pagemap.read((high - low) // PAGE * 8)
            for index, (entry,) in enumerate(struct.iter_unpack("<Q", entries)):
                if entry >> 63:
                    present.add(low - bias + index * PAGE)
    # Then each symbol's bytes in those pages; a page belongs to the module with the most.
    cover = collections.defaultdict(collections.Counter)
    listing = subprocess.run(["nm", "--defined-only", "-S", path], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) != 4 or int(fields[1], 16) == 0:
            continue
        start, size = int(fields[0], 16), int(fields[1], 16)
        module = module_of(fields[3])
        for page in range(start - start % PAGE, start + size, PAGE):
            if page in present:
                cover[page][module] += min(start + size, page + PAGE) - max(start, page)
    owners = collections.Counter()
    for page in present:
        owners[cover[page].most_common(1)[0][0] if page in cover else "(no symbol)"] += PAGE
    return {module: size / 1048576 for module, size in owners.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pid", type=int)
    parser.add_argument("--modules", default="aw-server,libaw-plugin-desktop",
                        help="comma-separated parts of the file names to break down by module")
    parser.add_argument("--top", type=int, default=15, help="rows per table")
    args = parser.parse_args()
    resident, anonymous = mappings(args.pid)
    total, own = sum(resident.values()), sum(anonymous.values())
    print(f"resident: {total / 1024:.1f} MiB; its own (anonymous) pages {own / 1024:.1f} MiB, "
          f"pages mapped from files {(total - own) / 1024:.1f} MiB")
    print(f"\n{'mapping':40} {'resident MiB':>12} {'own MiB':>8}")
    for name in sorted(resident, key=lambda n: -resident[n])[:args.top]:
        print(f"{Path(name).name[:40]:40} {resident[name] / 1024:12.2f} {anonymous[name] / 1024:8.2f}")
    wanted = args.modules.split(",")
    for name in resident:
        if name.startswith("/") and any(part in Path(name).name for part in wanted):
            modules = resident_modules(args.pid, name)
            print(f"\n{Path(name).name}: resident pages by module ({sum(modules.values()):.1f} MiB)")
            for module, size in sorted(modules.items(), key=lambda item: -item[1])[:args.top]:
                print(f"  {module:38} {size:6.2f}")


if __name__ == "__main__":
    main()
