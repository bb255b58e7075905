"""The first kut-load in a fresh gdb against its floor: add-symbol-file with
the answer given. Both run in a new gdb connected to a paused QEMU, with the
same gdb settings; the floor gdb does not source the gdbinit at all."""

import re
import sys

from gdb_session import add_symbol_file_command, kut_load_command, run_session
from guests import arm64_guests
from measure import interleaved, summarize
from paths import ARM64_LOAD_ADDRESS
from table import Row

REPEAT = 10
ACCEPT_RATIO = 1.5
GOALS = {"sample": 1.2, "large": 1.05}
_MAIN = re.compile(r"= \(int \(\*\)\(int, char \*\*\)\) (0x[0-9a-f]+) <main>")


def variants(elf, flat, after=()):
    """Each variant: () -> (gdb process run, seconds inside gdb)."""
    return {
        "kut": lambda: run_session(flat, kut_load_command(elf), True, after=after),
        "floor": lambda: run_session(flat, add_symbol_file_command(elf, ARM64_LOAD_ADDRESS),
                                     False, after=after),
    }


def check_same_symbols(elf, flat):
    """Both variants must place main at the same address, or the timing means nothing."""
    places = {}
    for name, session in variants(elf, flat, after=["print &main"]).items():
        run, _ = session()
        match = _MAIN.search(run.output)
        if not match:
            raise SystemExit("%s: no main after loading %s:\n%s" % (name, elf, run.output))
        places[name] = int(match.group(1), 16)
    if places["kut"] != places["floor"] or places["kut"] < ARM64_LOAD_ADDRESS:
        raise SystemExit("main is at %#x with kut-load but %#x with add-symbol-file"
                         % (places["kut"], places["floor"]))


def measure_guest(label, elf, flat, repeat):
    check_same_symbols(elf, flat)  # also warms the page cache for both
    runs = interleaved(variants(elf, flat), repeat, warmup=0)
    process = {key: summarize([run.seconds * 1000 for run, _ in runs[key]]) for key in runs}
    cpu = {key: summarize([run.cpu_seconds * 1000 for run, _ in runs[key]]) for key in runs}
    peak = {key: summarize([run.peak_kib / 1024 for run, _ in runs[key]]) for key in runs}
    inside = {key: summarize([seconds * 1000 for _, seconds in runs[key]]) for key in runs}
    ratio = process["kut"].median / process["floor"].median
    extra = inside["kut"].median - inside["floor"].median
    return [
        Row("first load, %s, gdb process" % label, process["kut"], process["floor"], "ms",
            "<= %.2fx" % GOALS[label], ratio <= GOALS[label],
            "<= %.1fx" % ACCEPT_RATIO, ratio <= ACCEPT_RATIO),
        Row("first load, %s, gdb CPU time" % label, cpu["kut"], cpu["floor"], "ms",
            "informational", None),
        Row("first load, %s, gdb peak RSS" % label, peak["kut"], peak["floor"], "MiB",
            "informational", None),
        Row("first load, %s, inside gdb" % label, inside["kut"], inside["floor"], "ms",
            "informational", None,
            note="kut-load takes %.1f ms longer than add-symbol-file alone" % extra),
    ]


def run(repeat=REPEAT):
    rows = []
    for label, (elf, flat) in arm64_guests().items():
        rows += measure_guest(label, elf, flat, repeat)
    return rows


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
