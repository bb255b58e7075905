"""kut-reverse-stepi and kut-reverse-continue: going back in a replay by
instruction counts (replay.py), on every architecture QEMU replays, also
where gdb's reverse-stepi and reverse-continue would hang QEMU (arches.py's
reverse). And kut-reverse-refusal, which refuses gdb's own reverse commands
there (the hooks of kut_load/reverse_hooks.py run it)."""

import gdb

from kut_load import breakpoints, run_control
from kut_load.errors import KutLoadError
from kut_load.session import OwnRun, QuietStops
from kut_load.why import replay

# How many stops one kut-reverse-continue takes from the start at most.
MAX_STOPS = 100000


class GoingBackError(KutLoadError):
    """The guest cannot go back from here; str() says why."""


def refusal(argv):
    """kut-reverse-refusal COMMAND: GoingBackError for gdb's reverse COMMAND
    where QEMU's replay would hang in it (arches.py's reverse); nothing
    elsewhere."""
    command = argv[0] if argv else "reverse execution"
    why_not = replay.reverse_refusal()
    if why_not is None or not replay.replaying():
        return
    instead = "kut-reverse-continue" if command in ("reverse-continue", "reverse-finish") \
        else "kut-reverse-stepi"
    raise GoingBackError("%s would hang QEMU: %s; %s goes back by replaying the recording "
                         "again" % (command, why_not, instead))


def now():
    """QEMU's instruction count in a replay; GoingBackError elsewhere."""
    if not replay.replaying():
        raise GoingBackError("this session is no replay of a recorded run (kut-debug --record "
                             "or --replay starts one)")
    count = replay.instruction_count()
    if count is None:
        raise GoingBackError("QEMU gave no instruction count (monitor info replay)")
    return count


def reverse_stepi(argv):
    """kut-reverse-stepi [N]: N instructions back (1 by default)."""
    steps = parse_count(argv)
    count = now()
    if count == 0:
        raise GoingBackError("the replay is at the recording's start: nothing is before it")
    if steps > count:
        raise GoingBackError("the replay is %d instructions from its start; give N up to that"
                             % count)
    arrive(count - steps)


def reverse_continue(argv):
    """kut-reverse-continue: back to the last stop of an enabled breakpoint or
    watchpoint before here, or to the recording's start where none stops
    before (as gdb's reverse-continue)."""
    if argv:
        raise GoingBackError("kut-reverse-continue takes no argument")
    count = now()
    hits = hits_before(count)
    if hits:
        reached, stopped = hits[-1]
        arrive(reached, "back to the last stop before instruction %d: %s, at instruction %d"
               % (count, stopped, reached))
    else:
        arrive(0)
        gdb.write("No breakpoint or watchpoint stops before instruction %d: at the "
                  "recording's start.\n" % count)


def parse_count(argv):
    if not argv:
        return 1
    if len(argv) != 1 or not argv[0].isdigit() or int(argv[0]) < 1:
        raise GoingBackError("give kut-reverse-stepi a number of instructions, 1 or more")
    return int(argv[0])


def hits_before(count):
    """[(instruction count, which of them, in words)] where the session's
    enabled breakpoints and watchpoints stop the run from the recording's
    start to count: stand-ins of them stop it, so that their hit counts
    stay as they were."""
    stand_ins, originals = [], {}
    try:
        with OwnRun(), QuietStops():
            with breakpoints.BreakpointsOff() as off:
                for point in [point for point in off.enabled if point.number > 0]:
                    stand_in = breakpoints.stand_in(point)
                    if stand_in is None:
                        raise GoingBackError("kut-reverse-continue cannot stop where %s %d "
                                             "does; disable it first" % (point_kind(point),
                                                                         point.number))
                    stand_ins.append(stand_in)
                    originals[id(stand_in)] = "%s %d (%s)" % (
                        point_kind(point), point.number, point.location or point.expression)
                replay.go_to_start()
                hits = []
                with replay.StopAt(count), run_control.LastStop() as stops:
                    for _ in range(MAX_STOPS):
                        stops.event = None
                        if not replay.run("continue"):
                            break
                        reached = replay.instruction_count()
                        if reached is None or reached >= count:
                            break
                        if isinstance(stops.event, gdb.BreakpointEvent):
                            hits.append((reached, ", ".join(
                                originals[id(point)] for point in stops.event.breakpoints
                                if id(point) in originals) or "a stop"))
    finally:
        for stand_in in stand_ins:
            if stand_in.is_valid():
                stand_in.delete()
    return hits


def point_kind(point):
    return "breakpoint" if point.type in breakpoints.CODE_TYPES else "watchpoint"


def arrive(count, why=None):
    """Runs the replay to count, no breakpoint stopping it on the way, and
    shows the frame there. The last instruction is a stepi outside
    kut-why's own runs, so that kut-break-fail sees a stop as after gdb's
    reverse commands; no watchpoint stops it (x86's stub reports a hit
    stepped onto once more at the next continue)."""
    with OwnRun(), QuietStops(), breakpoints.BreakpointsOff():
        replay.go_to(max(0, count - 1))
    if count > 0:
        with QuietStops(), breakpoints.WatchpointsOff():
            replay.run("stepi")
    if why:
        gdb.write(why + "\n")
    gdb.execute("frame")
