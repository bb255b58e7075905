#!/usr/bin/python3
"""Cost of kut-debug --why against --fail alone and --record --fail, on one
failing test of a kvm-unit-tests tree: wall time of each whole session
(QEMU, gdb, the stop, and for --why the way back), in interleaved rounds,
medians with min-max, and each round's ratio to its own --fail.

Usage: /usr/bin/python3 tests/bench/why_cost.py TREE LOG [ROUNDS]   (LOG relative to TREE)
"""

import os
import statistics
import subprocess
import sys
import time

KUT_DEBUG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python",
                         "kut-debug")
MODES = {"--fail": ["--fail"], "--record --fail": ["--record", "--fail"], "--why": ["--why"]}


def timed(tree, arguments):
    started = time.monotonic()
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch"] + arguments, cwd=tree,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        sys.exit("kut-debug %s failed:\n%s" % (" ".join(arguments), done.stdout + done.stderr))
    return time.monotonic() - started


def main(argv):
    tree, log = argv[0], argv[1]
    rounds = int(argv[2]) if len(argv) > 2 else 5
    times = {mode: [] for mode in MODES}
    for _ in range(rounds):
        for mode, arguments in MODES.items():
            times[mode].append(timed(tree, arguments + [log]))
    print("%s, %d rounds" % (log, rounds))
    for mode, values in times.items():
        ratios = [value / base for value, base in zip(values, times["--fail"])]
        print("%-16s median %6.2f s (min %.2f, max %.2f); /--fail median %.1fx (min %.1f, max %.1f)"
              % (mode, statistics.median(values), min(values), max(values),
                 statistics.median(ratios), min(ratios), max(ratios)))


if __name__ == "__main__":
    main(sys.argv[1:])
