"""kut-why: the failing check's condition in the selected frame, as the
test's source writes it (report()'s first argument), and the value of each
of its operands, read from the guest by gdb. Imported at the first kut-why
(see gdb_commands.py)."""

import gdb

from kut_load.errors import KutLoadError
from kut_load.quoting import printable
from kut_load.session import frame_level
from kut_load.why.condition import find_check, operands

# The kinds of value shown in hex as well as in gdb's own way.
INTEGER_TYPES = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR,
                 gdb.TYPE_CODE_BOOL)


class WhyError(KutLoadError):
    """kut-why has no check or expression to explain in the selected frame."""


def say(text):
    gdb.write("kut-why: %s\n" % text)


def run(argument):
    """kut-why [EXPRESSION]: explains EXPRESSION, or without one the
    condition of the report() call of the selected frame's line. Writes
    lines; WhyError when the frame is at no check."""
    frame = gdb.selected_frame()
    expression = argument.strip()
    if expression:
        explain(expression, condition=False)
        return
    check, path = check_of(frame)
    say("the check at %s:%d: %s" % (printable(path), check.line, printable(check.call)))
    explain(check.condition, condition=True)


def check_of(frame):
    """(the Check of the report() call the frame is at, its file name)."""
    sal = frame.find_sal()
    if sal.symtab is None:
        raise WhyError("the selected frame has no source line; select the test's frame of the "
                       "failing check (kut-break-fail selects it), or give an expression")
    try:
        with open(sal.symtab.fullname(), errors="replace") as source:
            lines = source.read().splitlines()
    except OSError as error:
        raise WhyError("cannot read %s (%s)"
                       % (printable(sal.symtab.fullname()), error.strerror)) from None
    # Where report() has returned to the test (frame #0 at the return address), the
    # call's line is the instruction's before.
    candidates = [sal.line]
    if frame_level(frame) == 0:
        candidates.append(gdb.find_pc_line(frame.pc() - 1).line)
    for line in candidates:
        check = find_check(lines, line) if line else None
        if check is not None:
            return check, sal.symtab.filename
    raise WhyError("%s:%d is in no report() call; select the test's frame of the failing check "
                   "(kut-break-fail selects it), or give an expression"
                   % (printable(sal.symtab.filename), sal.line))


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


def evaluated(expression):
    """(gdb's value of expression in the selected frame, None), or (None,
    why gdb could not: a macro, a value optimised out)."""
    try:
        value = gdb.parse_and_eval(expression)
        if value.is_optimized_out:
            return None, "<optimized out> here (gdb has no location for it at this pc)"
        value.fetch_lazy()
        return value, None
    except gdb.MemoryError as error:
        return None, "cannot be read (%s)" % error
    except gdb.error as error:
        text = str(error).rstrip(".")
        if text.startswith("No symbol"):
            text += "; a macro is known to gdb only in a build with -g3"
        return None, "gdb cannot evaluate it here (%s)" % text


def is_integer(value):
    return value.type.strip_typedefs().code in INTEGER_TYPES


def shown(value):
    """gdb's own form of value, with the hex of an integer beside it."""
    text = str(value)
    if is_integer(value):
        number = int(value)
        hexadecimal = "%#x" % (number & ((1 << (8 * value.type.sizeof)) - 1))
        if hexadecimal != text:
            text = "%s (%s)" % (hexadecimal, text)
    return text
