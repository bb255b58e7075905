"""kut-why: the failing check's condition in the selected frame, as the
test's source writes it (report()'s first argument), and the value of each
of its operands, read from the guest by gdb. Imported at the first kut-why
(see gdb_commands.py)."""

import gdb

from kut_load import breakpoints
from kut_load.errors import KutLoadError
from kut_load.quoting import printable
from kut_load.session import OwnRun, QuietStops, frame_level
from kut_load.why.condition import find_check, operands
from kut_load.why.statement import VARIABLE
from kut_load.why.values import evaluated, is_integer, shown

# How many variables deep kut-why follows a value back.
DEPTH = 3


class WhyError(KutLoadError):
    """kut-why has no check or expression to explain in the selected frame."""


def say(text):
    gdb.write("kut-why: %s\n" % text)


def run(argument):
    """kut-why [EXPRESSION]: explains EXPRESSION, or without one the
    condition of the report() call of the selected frame's line. Writes
    lines; WhyError when the frame is at no check."""
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        raise WhyError("no frame is selected: kut-why needs the guest stopped under gdb "
                       "(target remote, then a stop)") from None
    expression = argument.strip()
    if expression in ("--help", "-h"):
        gdb.execute("help kut-why")
        return
    if expression:
        explain(expression, condition=False)
        if VARIABLE.match(expression):
            go_back(frame, None, [expression])
        return
    frame, (check, path, lines) = checked_frame(frame)
    say("the check at %s:%d: %s" % (printable(path), check.line, printable(check.call)))
    explain(check.condition, condition=True)
    _, parts = operands(check.condition)
    go_back(frame, lines, [part for part in parts if VARIABLE.match(part)])


def go_back(frame, lines, names):
    """In a replay, follows each variable back to where it was set, in the
    frame's source lines (read here when None); elsewhere says what would."""
    # A variable gdb has no value for at the check is followed too: its line has one.
    # A name gdb has no symbol for is a macro.
    values = [(name, value) for name, (value, error) in ((name, evaluated(name)) for name in names)
              if value is not None or "optimized out" in error]
    if not values:
        return
    from kut_load.why import chain, replay
    if not replay.replaying():
        say("this session is no replay of a recorded run, so where %s was set is not looked "
            "for (kut-debug --why records the run, where QEMU can)"
            % " and ".join(printable(name) for name, _ in values))
        return
    if lines is None:
        lines = source_lines(frame)[1]
    place = replay.Place()
    said = []
    try:
        with QuietStops(), OwnRun(), breakpoints.BreakpointsOff():
            for name, value in values:
                try:
                    chain.follow(frame, lines, name, value, DEPTH, said.append)
                finally:
                    place.restore()
    finally:
        for line in said:
            say(line)


def checked_frame(frame):
    """(the frame at a report() call, check_of() it): the selected frame, or
    else the nearest newer one (a helper of the test's, such as s390x's
    check_pgm_int_code(), that calls report() itself), then selected."""
    try:
        return frame, check_of(frame)
    except WhyError as error:
        newer = frame.newer()
        while newer is not None:
            try:
                found = check_of(newer)
            except WhyError:
                newer = newer.newer()
                continue
            newer.select()
            say("the selected frame is in no report() call; %s, which it called, is"
                % printable(str(newer.name())))
            return newer, found
        raise error


def check_of(frame):
    """(the Check of the report() call the frame is at, its file name)."""
    sal, lines = source_lines(frame)
    # Where report() has returned to the test (frame #0 at the return address), the
    # call's line is the instruction's before.
    candidates = [sal.line]
    if frame_level(frame) == 0:
        candidates.append(gdb.find_pc_line(frame.pc() - 1).line)
    for line in candidates:
        check = find_check(lines, line) if line else None
        if check is not None:
            return check, sal.symtab.filename, lines
    raise WhyError("%s:%d is in no report() call; select the test's frame of the failing check "
                   "(kut-break-fail selects it), or give an expression"
                   % (printable(sal.symtab.filename), sal.line))


def source_lines(frame):
    """(the frame's symtab-and-line, the lines of its source file)."""
    sal = frame.find_sal()
    if sal.symtab is None:
        raise WhyError("the selected frame has no source line; select the test's frame of the "
                       "failing check (kut-break-fail selects it), or give an expression")
    try:
        with open(sal.symtab.fullname(), errors="replace") as source:
            return sal, source.read().splitlines()
    except OSError as error:
        raise WhyError("cannot read %s (%s)"
                       % (printable(sal.symtab.fullname()), error.strerror)) from None


def explain(expression, condition):
    """The expression's value, and each operand's, in the selected frame;
    whether it holds where it is a check's condition or a comparison."""
    value, error = evaluated(expression)
    operator, parts = operands(expression)
    if error:
        say("%s: %s" % (printable(expression), error))
    elif is_integer(value) and (condition or operator):
        say("%s is %s" % (printable(expression), "true" if int(value) else "false"))
    else:
        say("%s = %s" % (printable(expression), shown(value)))
    if operator is None:
        return
    for part in parts:
        value, error = evaluated(part)
        say("  %s: %s" % (printable(part), error) if error else
            "  %s = %s" % (printable(part), shown(value)))
