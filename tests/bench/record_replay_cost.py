"""Cost of kut-debug's record/replay against a plain run of the same test:
wall time of the plain run, the recording and a replay to the end (no gdb),
interleaved rounds, medians with min-max, ratios from the same rounds, and
the recording's size. Usage: record_replay_cost.py TREE TEST_COMMAND... (run in TREE)."""

import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

from kut_debug.processes import paused_command  # noqa: E402
from kut_debug.record import qemu_argv  # noqa: E402

ROUNDS = 7


def timed(argv):
    started = time.monotonic()
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, timeout=300)
    return time.monotonic() - started


def main(argv):
    os.chdir(argv[0])
    command = argv[1:]
    times = {"plain": [], "record": [], "replay": []}
    sizes = []
    with tempfile.TemporaryDirectory() as work:
        console = os.path.join(work, "console")
        plain = paused_command.for_gdb(command, console)
        for _ in range(ROUNDS):
            log, disk = os.path.join(work, "r.bin"), os.path.join(work, "s.qcow2")
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
            recorded = qemu_argv.record_argv(plain, log, disk)
            times["plain"].append(timed(plain))
            times["record"].append(timed(recorded))
            times["replay"].append(timed(qemu_argv.replay_argv(recorded)))
            sizes.append((os.path.getsize(log), os.path.getsize(disk)))
    for name, values in times.items():
        print("%-6s median %.2f s (min %.2f, max %.2f) over %d rounds"
              % (name, statistics.median(values), min(values), max(values), len(values)))
    for name in ("record", "replay"):
        ratios = [a / b for a, b in zip(times[name], times["plain"])]
        print("%s/plain median %.1fx (min %.1f, max %.1f)"
              % (name, statistics.median(ratios), min(ratios), max(ratios)))
    print("replay log %d KB, snapshot disk %d KB (median)"
          % (statistics.median(s[0] for s in sizes) // 1024,
             statistics.median(s[1] for s in sizes) // 1024))


if __name__ == "__main__":
    main(sys.argv[1:])
