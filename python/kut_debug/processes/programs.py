"""The programs kut-debug runs, found on PATH: gdb as --gdb names it, and
QEMU as a log names it."""

import os
import shlex
import shutil
import sys

from kut_debug.errors import DebugError


def gdb_command(text):
    """--gdb's words, split as a shell would, its program found on PATH."""
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise DebugError("--gdb %s: %s" % (shlex.quote(text), error)) from None
    if not words:
        raise DebugError("--gdb needs a program, as in --gdb gdb-multiarch")
    return [find_program(words[0], "gdb")] + words[1:]


def find_program(name, what):
    path = shutil.which(name)
    if not path:
        raise DebugError("%s is not installed (%s not found)" % (what, name))
    return path


def resolve_qemu(program):
    """QEMU as the log names it; a log from another machine may name a path
    that is not here, so the same program on PATH stands in for it."""
    if os.sep not in program:
        return find_program(program, "QEMU")
    if os.path.isfile(program) and os.access(program, os.X_OK):
        return program
    found = shutil.which(os.path.basename(program))
    if not found:
        raise DebugError("QEMU is not installed (%s not found, nor %s on PATH)"
                         % (program, os.path.basename(program)))
    sys.stderr.write("kut-debug: %s is not here; using %s\n" % (program, found))
    return found
