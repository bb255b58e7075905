"""Makes untrusted strings safe to put on a gdb command line.

gdb.execute() runs each line of a string as its own command, and
add-symbol-file splits its arguments with libiberty's buildargv, which
changed under gdb 16: up to gdb 15 a backslash escapes any character, inside
either quote too; from gdb 16 it follows the POSIX shell, where single quotes
take every character literally and, inside double quotes, a backslash
escapes only \\ " $ ` and newline. A double-quoted word with only \\ and "
escaped reads the same to both (observed on gdb 13.1 and 16.3).
"""

from kut_load.errors import KutLoadError


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
    """One argv word that every gdb's buildargv reads as TEXT: double-quoted,
    with backslashes and double quotes backslash-escaped.

    Raises UnsafeName for text with a control character."""
    check_printable(text, what)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped + '"'


def hex_address(value):
    """An address or offset as gdb reads it; never a string from outside."""
    value = int(value)
    return "-%#x" % -value if value < 0 else "%#x" % value
