"""kut-why's way back from a failing check, in a replay: for a variable of
the check's condition, the line that last set it (reverse steps in the
test's frame until a line whose statement writes it), and where the value
came from: a device read QEMU traced on that line (QEMU's region and
offset, and the last write to that address before it in those lines), a
constant, another variable (followed back in turn) or a call."""

import gdb

from kut_load.quoting import printable
from kut_load.why import replay
from kut_load.why import device_steps, earlier_write
from kut_load.why.condition import operands
from kut_load.why.statement import (VARIABLE, assigned_value, assigns, compound_operator,
                                    statement_at, value_source)
from kut_load.why.values import evaluated, shown

# Lines gone back through in the test's frame before giving up on a variable.
LINES_BACK = 40
# Frames a failure stop may be above the test's frame (report, va_report, ...).
FRAMES_UP = 16


class Step:
    """A stop of the way back: the pc, and the line in the test's frame."""

    def __init__(self, frame):
        self.pc = gdb.newest_frame().pc()
        sal = frame.find_sal()
        self.line = sal.line
        self.file = sal.symtab.filename if sal.symtab else "??"


def follow(test_frame, source_lines, name, value, depth, say):
    """Says, by say(text), where name (value at the check, a gdb.Value) was
    set, and where that value came from, following the variables it came
    from depth deep. The guest is left where the walk ended; the caller
    brings it back."""
    if not back_into(test_frame):
        say("cannot go back into %s's frame in the replay" % printable(str(test_frame.function())))
        return
    walk(test_frame, source_lines, name, value, depth, say)


def walk(test_frame, source_lines, name, value, depth, say):
    """follow(), from where the guest is in the test's frame."""
    sources = last_write(test_frame, source_lines, name, value, say)
    if depth <= 1:
        return
    for source, source_value in sources:
        place = replay.Place()
        try:
            walk(test_frame, source_lines, source, source_value, depth - 1,
                 lambda text: say("  " + text))
        finally:
            place.restore()


def back_into(test_frame):
    """Goes back until the test's frame is the newest (out of report() and
    what it called); False where the replay has no such past."""
    for _ in range(FRAMES_UP):
        newest = gdb.newest_frame()
        if newest == test_frame:
            return True
        newest.select()
        if not replay.run("reverse-finish"):
            return False
    return gdb.newest_frame() == test_frame


def current_test_frame(test_frame):
    newest = gdb.newest_frame()
    return newest if newest == test_frame else None


def last_write(test_frame, source_lines, name, value, say):
    """Goes back to the line that set name; says it and where the value came
    from. [(a variable the value came from, its value)] to follow next."""
    steps = [Step(test_frame)]
    for _ in range(LINES_BACK):
        if not replay.run("reverse-next"):
            say("%s = %s: set before the replay's start" % (name, shown(value)))
            return []
        frame = current_test_frame(test_frame)
        if frame is None:
            caller = gdb.newest_frame().find_sal()
            say("%s = %s: set before %s was called (at %s:%d)%s" % (
                name, shown(value), test_frame.function(),
                caller.symtab.filename if caller.symtab else "??", caller.line,
                ", an argument" if is_argument(test_frame, name) else ""))
            return []
        step = Step(frame)
        steps.append(step)
        statement = statement_at(source_lines, step.line) if step.line else ""
        if statement and assigns(statement, name):
            break
    else:
        say("%s = %s: no line in the last %d of %s sets it" % (
            name, shown(value), LINES_BACK, test_frame.function()))
        return []
    setting = steps[-1]
    after = steps[-2]
    # One line further back, so that instructions the compiler moved before the
    # line's first one are stepped over too.
    replay.run("reverse-next")
    statement = statement_at(source_lines, setting.line)
    say("%s = %s was set at %s:%d: %s" % (name, shown(value), printable(setting.file),
                                          setting.line, printable(statement)))
    accesses, trace_error = device_steps.traced_until(after.pc, test_frame)
    regions = device_steps.mtree_regions() if accesses else []
    assigned = assigned_value(statement, name)
    kind, what = value_source(assigned) if assigned else ("expression", None)
    reads = [item for item in accesses if not item.access.write
             and item.test_line == setting.line]
    if reads:
        read = reads[-1]
        say(device_steps.read_line(read, regions))
        writes = [item for item in accesses[:accesses.index(read)]
                  if item.access.write and device_steps.overlap(item.access, read.access)]
        if writes:
            say(device_steps.write_line(writes[-1], setting.file))
            return []
        # Before the lines stepped: back to the last write there, in the replay.
        write, why_not = earlier_write.find(read, test_frame)
        say(device_steps.write_line(write, setting.file) if write else "  " + why_not)
        return []
    if trace_error:
        say("  (device accesses not looked for: %s)" % trace_error)
    compound = compound_operator(statement, name)
    if compound:
        # name's own value before the line is gone here: the line is said, not followed.
        here, error = evaluated(assigned)
        say("  %s %s %s, where %s%s" % (
            printable(name), compound, printable(assigned), printable(assigned),
            " = " + shown(here) if error is None else ": " + error))
    elif kind == "constant":
        say("  from the constant %s" % printable(assigned))
    elif kind == "call":
        say("  the value %s() returned%s" % (
            printable(what), "" if trace_error else ", which read no device on that line"))
    elif assigned:
        # After the line, the variables of the expression still hold what it read.
        _, parts = operands(what) if kind == "expression" else (None, [what])
        followed = []
        for part in parts:
            here, error = evaluated(part)
            say("  from %s%s" % (printable(part), " = " + shown(here) if error is None
                                 else ": " + error))
            if here is not None and VARIABLE.match(part) and part != name:
                followed.append((part, here))
        return followed
    return []


def is_argument(frame, name):
    try:
        symbol = gdb.lookup_symbol(name, frame.block())[0]
    except RuntimeError:
        return False
    return symbol is not None and symbol.is_argument
