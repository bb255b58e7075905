"""Values as kut-why reads and shows them: gdb's value of an expression in
the selected frame or gdb's reason why there is none, and an integer shown
in hex beside gdb's own form."""

import re

import gdb

from kut_load.session import Setting

# An assignment, ++ or -- in an expression: gdb would write the guest's memory.
WRITES = re.compile(r"\+\+|--|(?<![=!<>])=(?!=)|[-+*/%&|^]=|<<=|>>=")

# The kinds of value shown in hex as well as in gdb's own way.
INTEGER_TYPES = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR,
                 gdb.TYPE_CODE_BOOL)


def no_calls():
    """A context in which gdb evaluates without calling the guest's functions
    (may-call-functions off): a check's condition may call the test's code,
    which would run again, with its device accesses."""
    return Setting("may-call-functions", "off")


def evaluated(expression):
    """(gdb's value of expression in the selected frame, None), or (None,
    why gdb could not: a macro, a value optimised out, a call or a write of
    the guest's, which kut-why never makes)."""
    if WRITES.search(expression):
        return None, "not evaluated: it would change the guest (an assignment, ++ or --)"
    try:
        with no_calls():
            value = gdb.parse_and_eval(expression)
        if value.is_optimized_out:
            return None, "<optimized out> here (gdb has no location for it at this pc)"
        value.fetch_lazy()
        return value, None
    except gdb.MemoryError as error:
        return None, "cannot be read (%s)" % error
    except gdb.error as error:
        text = str(error).rstrip(".")
        missing = re.match(r'No symbol "(\w+)"', text)
        if missing and missing.group(1).isupper():  # C's way of naming a macro
            text += "; a macro is known to gdb only in a build with -g3"
        return None, "gdb cannot evaluate it here (%s)" % text


def is_integer(value):
    return value.type.strip_typedefs().code in INTEGER_TYPES


def unsigned(number, size):
    """number as the size bytes of memory hold it, read unsigned."""
    return number & ((1 << 8 * size) - 1)


def shown(value):
    """gdb's own form of value, with the hex of an integer beside it."""
    text = str(value)
    if is_integer(value):
        number = int(value)
        hexadecimal = "%#x" % unsigned(number, value.type.sizeof)
        if hexadecimal != text:
            text = "%s (%s)" % (hexadecimal, text)
    return text
