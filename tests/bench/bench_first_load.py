"""The first kut-load in a fresh gdb against its floor: add-symbol-file with
the answer given. Both run in a new gdb connected to a paused QEMU, with the
same gdb settings; the floor gdb does not source the gdbinit at all.

The headline is the time inside gdb of the command and the `info line main`
a user's next step needs, timed in Python around the two: gdb's own start-up
(about 100 ms) would hide what kut-load adds. Whole-process figures follow as
secondary rows."""

import re
import sys

from gdb_session import add_symbol_file_command, kut_load_command, run_session
from guests import arm64_guests
from measure import interleaved, summarize
from paths import AGAINST_GDBINIT, ARM64_LOAD_ADDRESS
from table import Row

REPEAT = 15
# Inside gdb, on the guest the size of a real test: the goal and the bar.
GOAL_RATIO = 1.2
ACCEPT_RATIO = 1.5
HEADLINE = "real-size"
_MAIN = re.compile(r"= \(int \(\*\)\(int, char \*\*\)\) (0x[0-9a-f]+) <main>")


def variants(elf, flat, after=(), link=None):
    """Each variant: () -> (gdb process run, seconds inside gdb); "against"
    is the kut-load of KUT_BENCH_AGAINST, when it is set."""
    found = {
        "kut": lambda: run_session("aarch64", flat, kut_load_command(elf), True, after=after,
                                   link=link),
        "floor": lambda: run_session("aarch64", flat,
                                     add_symbol_file_command(elf, ARM64_LOAD_ADDRESS), False,
                                     after=after, link=link),
    }
    if AGAINST_GDBINIT:
        found["against"] = lambda: run_session("aarch64", flat, kut_load_command(elf),
                                               AGAINST_GDBINIT, after=after, link=link)
    return found


def check_same_symbols(elf, flat):
    """Both variants must place main at the same address, or the timing means nothing."""
    places = {}
    for name, session in variants(elf, flat, after=["print &main"]).items():
        run, _ = session()
        match = _MAIN.search(run.output)
        if not match:
            raise SystemExit("%s: no main after loading %s:\n%s" % (name, elf, run.output))
        places[name] = int(match.group(1), 16)
    if len(set(places.values())) != 1 or places["kut"] < ARM64_LOAD_ADDRESS:
        raise SystemExit("main is at %s" % ", ".join("%#x with %s" % (address, name)
                                                     for name, address in places.items()))


def summaries(runs):
    """{field: {variant: Summary}} for process wall, CPU, peak RSS and inside gdb."""
    fields = {
        "process": lambda run, _: run.seconds * 1000,
        "cpu": lambda run, _: run.cpu_seconds * 1000,
        "peak": lambda run, _: run.peak_kib / 1024,
        "inside": lambda _, seconds: seconds * 1000,
    }
    return {field: {key: summarize([value(*sample) for sample in runs[key]]) for key in runs}
            for field, value in fields.items()}


def inside_row(label, inside):
    ratio = inside["kut"].median / inside["floor"].median
    extra = inside["kut"].median - inside["floor"].median
    if label == HEADLINE:
        return Row("first load + info line main, %s guest, inside gdb" % label, inside["kut"],
                   inside["floor"], "ms", "<= %.1fx" % GOAL_RATIO, ratio <= GOAL_RATIO,
                   "<= %.1fx" % ACCEPT_RATIO, ratio <= ACCEPT_RATIO,
                   note="kut-load adds %.1f ms to add-symbol-file" % extra)
    return Row("first load + info line main, %s guest, inside gdb" % label, inside["kut"],
               inside["floor"], "ms", "informational", None,
               note="kut-load adds %.1f ms to add-symbol-file" % extra)


def against_row(label, inside):
    against = inside["against"].median / inside["floor"].median
    return Row("first load + info line main, %s guest, inside gdb, against %s" % (
        label, AGAINST_GDBINIT), inside["kut"], inside["against"], "ms", "informational", None,
        note="ratios to add-symbol-file: %.2fx here, %.2fx there"
        % (inside["kut"].median / inside["floor"].median, against))


def measure_guest(label, elf, flat, repeat):
    check_same_symbols(elf, flat)  # also warms the page cache and compiled modules
    figures = summaries(interleaved(variants(elf, flat), repeat, warmup=0))
    compared = [against_row(label, figures["inside"])] if AGAINST_GDBINIT else []
    return [inside_row(label, figures["inside"])] + compared, [
        Row("first load, %s guest, whole gdb process" % label, figures["process"]["kut"],
            figures["process"]["floor"], "ms", "informational", None, secondary=True),
        Row("first load, %s guest, gdb CPU time" % label, figures["cpu"]["kut"],
            figures["cpu"]["floor"], "ms", "informational", None, secondary=True),
        Row("first load, %s guest, gdb peak RSS" % label, figures["peak"]["kut"],
            figures["peak"]["floor"], "MiB", "informational", None, secondary=True),
    ]


def run(repeat=REPEAT):
    """Headline rows (inside gdb) first, then the whole-process rows."""
    headline, secondary = [], []
    for label, (elf, flat) in arm64_guests().items():
        inside, process = measure_guest(label, elf, flat, repeat)
        headline += inside
        secondary += process
    return headline + secondary


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
