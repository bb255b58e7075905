"""What the test's frame did before an instruction count, found going
forwards in the replay: where its function's run began (a breakpoint at the
function, from the recording's start), and the lines it ran from there
(gdb's `next`), each with QEMU's instruction count and a variable's value.
Going forwards needs none of gdb's reverse execution, and steps into
inlined functions as gdb does forwards."""

import gdb

from kut_load.session import function_blocks
from kut_load.why import replay
from kut_load.why.values import evaluated

# Runs of the test's function looked at from the recording's start.
ENTRIES = 10000
# Lines of the test's frame gone through before giving up.
LINES = 3000


class LineStop:
    """The test's frame at the start of a line: QEMU's instruction count,
    the line, and the variable's value there (None where gdb has none)."""

    def __init__(self, count, line, value):
        self.count = count
        self.line = line
        self.value = value


def entry_count(test, before):
    """QEMU's instruction count where the test frame's function began the run
    that is under way at count before, or None."""
    try:
        point = gdb.Breakpoint(function=test.function, internal=True)
    except (gdb.error, RuntimeError):
        return None
    last = None
    try:
        test.start = replay.go_to_start()
        with replay.StopAt(before):
            for _ in range(ENTRIES):
                if not replay.run("continue"):
                    break
                count = replay.instruction_count()
                if count is None or count >= before:
                    break
                if in_frame(test):
                    last = count
    finally:
        point.delete()
    return last


def in_frame(test):
    """Whether the newest frame is the test's. At the first instruction of an
    inlined function gdb shows its caller until `step` enters it, without
    running anything: entered here, one inlined level a step."""
    pc = gdb.newest_frame().pc()
    inlined = [str(block.function) for block in function_blocks(pc)]
    for _ in range(len(inlined)):
        if test.is_frame(gdb.newest_frame()) or test.function not in inlined:
            break
        replay.run("step")
        if gdb.newest_frame().pc() != pc:
            break
    return test.is_frame(gdb.newest_frame())


def lines_until(test, entry, end, name):
    """[LineStop] of the test's frame from entry (an instruction count) to
    end, each with name's value; (stops, why they stop short or None)."""
    replay.go_to(entry)
    if not in_frame(test):
        return [], "the replay did not enter %s at instruction %d" % (test.function, entry)
    stops = []
    with replay.StopAt(end):
        for _ in range(LINES):
            count = replay.instruction_count()
            frame = gdb.newest_frame()
            if count is None or count >= end or not test.is_frame(frame):
                return stops, None
            stops.append(LineStop(count, frame.find_sal().line, evaluated(name)[0]))
            if not replay.run("next"):
                return stops, None
    return stops, "more than %d lines of %s before the check" % (LINES, test.function)
