"""Makes untrusted strings safe to put on a gdb command line.

gdb.execute() runs each line of a string as its own command, and
add-symbol-file splits its arguments with libiberty's buildargv, where a
backslash escapes the next character even inside quotes.
"""

from .errors import KutLoadError


class UnsafeName(KutLoadError):
    """A name that cannot be passed to gdb without changing its meaning."""


def check_printable(text, what):
    """Refuses text holding a newline or other control character."""
    for char in text:
        if ord(char) < 0x20 or ord(char) == 0x7f:
            raise UnsafeName("%s %r contains the control character %r"
                             % (what, text, char))
    return text


def printable(name):
    """A name from a file, for showing: control characters escaped."""
    return name if name.isprintable() else repr(name)[1:-1]


def quote_argument(text, what="argument"):
    """One argv word for gdb_buildargv: single-quoted, backslash-escaped."""
    check_printable(text, what)
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + escaped + "'"


def hex_address(value):
    """An address or offset as gdb reads it; never a string from outside."""
    value = int(value)
    return "-%#x" % -value if value < 0 else "%#x" % value
