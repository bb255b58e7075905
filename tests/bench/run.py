#!/usr/bin/python3
"""Runs every benchmark and prints one table: each figure is kut-load's cost
as a ratio to a baseline measured in the same run.

Usage: /usr/bin/python3 tests/bench/run.py [--quick] [--only NAME ...]
Exit status 1 when an acceptance bar is not met.
"""

import argparse
import os
import platform
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paths import program  # noqa: E402  (first: it puts tests/ on sys.path)
import bench_elf_reader  # noqa: E402
import bench_first_load  # noqa: E402
import bench_import  # noqa: E402
import bench_installed  # noqa: E402
import bench_packets  # noqa: E402
import bench_remote  # noqa: E402
import bench_startup  # noqa: E402
from table import render  # noqa: E402

# In the order of the table: the headline figures (inside gdb, round trips),
# then the rest.
BENCHMARKS = {
    "first-load": bench_first_load,
    "packets": bench_packets,
    "remote": bench_remote,
    "startup": bench_startup,
    "installed": bench_installed,
    "elf-reader": bench_elf_reader,
    "import": bench_import,
}
# Benchmarks whose rows all come after the headline ones.
SECONDARY = {"installed", "elf-reader", "import"}


def first_line(argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0]


def machine():
    """One line naming what the figures were measured on."""
    with open("/proc/cpuinfo") as cpuinfo:
        model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo.read(), re.M)
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(re.search(r"^MemTotal:\s*(\d+)", meminfo.read(), re.M).group(1))
    return "%s, %d CPUs (%s), %.0f GiB RAM, %s, %s, load average %.2f" % (
        platform.platform(terse=True), len(os.sched_getaffinity(0)),
        model.group(1) if model else "unknown CPU", memory_kib / 2**20,
        first_line([program("gdb-multiarch"), "--version"]),
        first_line([program("qemu-system-aarch64"), "--version"]), os.getloadavg()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of each "
                        "benchmark's default (figures too noisy to quote)")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=[],
                        help="run only these benchmarks")
    options = parser.parse_args()
    print(machine(), flush=True)
    rows = []
    for name, module in BENCHMARKS.items():
        if options.only and name not in options.only:
            continue
        print("running %s ..." % name, file=sys.stderr, flush=True)
        found = module.run(3) if options.quick else module.run()
        for row in found:
            row.secondary = row.secondary or name in SECONDARY
        rows += found
    print(render(rows))
    print("\nload average at the end: %.2f" % os.getloadavg()[0])
    return 1 if any(row.accepted is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
