"""gdb start-up with the gdbinit sourced against bare gdb: wall time and peak
memory. The gdbinit only defines the command, so the two should not differ."""

import sys

from measure import interleaved, run_process, summarize
from paths import GDBINIT, program
from table import Row

REPEAT = 20
MAX_SLOWDOWN = 1.10      # acceptance: within 10 % ...
MAX_EXTRA_KIB = 4 * 1024  # ... and within 4 MiB of peak memory
# "No measurable difference": below what repeated bare runs vary by here.
GOAL_SLOWDOWN = 1.03
GOAL_EXTRA_KIB = 1024


def gdb_argv(with_gdbinit):
    argv = [program("gdb-multiarch"), "-nx", "-batch"]
    return argv + ["-x", GDBINIT] if with_gdbinit else argv


def measure(with_gdbinit):
    run = run_process(gdb_argv(with_gdbinit))
    if run.status != 0 or run.output.strip():
        raise SystemExit("gdb start-up printed or failed:\n" + run.output)
    return run.seconds * 1000, run.cpu_seconds * 1000, run.peak_kib / 1024


def run(repeat=REPEAT):
    runs = interleaved({"kut": lambda: measure(True), "bare": lambda: measure(False)}, repeat)
    wall, cpu, peak = ({key: summarize([sample[field] for sample in runs[key]]) for key in runs}
                       for field in range(3))
    slowdown = wall["kut"].median / wall["bare"].median
    extra_mib = peak["kut"].median - peak["bare"].median
    return [
        Row("gdb start-up, wall", wall["kut"], wall["bare"], "ms",
            "<= %.2fx" % GOAL_SLOWDOWN, slowdown <= GOAL_SLOWDOWN,
            "<= %.2fx" % MAX_SLOWDOWN, slowdown <= MAX_SLOWDOWN,
            note="%+.1f ms at the median" % (wall["kut"].median - wall["bare"].median)),
        Row("gdb start-up, CPU", cpu["kut"], cpu["bare"], "ms", "informational", None),
        Row("gdb start-up, peak RSS", peak["kut"], peak["bare"], "MiB",
            "< +%d MiB" % (GOAL_EXTRA_KIB // 1024), extra_mib * 1024 < GOAL_EXTRA_KIB,
            "<= +%d MiB" % (MAX_EXTRA_KIB // 1024), extra_mib * 1024 <= MAX_EXTRA_KIB,
            note="%+.2f MiB at the median" % extra_mib),
    ]


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
