"""Hands a load plan to gdb: replaces earlier copies of the test's symbols
with the planned ones, with the user's settings left as they were."""

import os

import gdb

from .quoting import quote_argument

# What kut-load loaded in this gdb: file name -> the add-symbol-file command,
# so a new load replaces them all and a failed one can put them back.
_loaded = {}


class LoadError(Exception):
    """gdb refused to load or unload symbols."""


def run_without_confirm(command):
    """Runs one gdb command with confirm off, and puts confirm back after."""
    confirm = gdb.parameter("confirm")
    gdb.execute("set confirm off", to_string=True)
    try:
        return gdb.execute(command, to_string=True)
    finally:
        gdb.execute("set confirm %s" % ("on" if confirm else "off"), to_string=True)


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def earlier_copies(symbols_path):
    """Symbol files to drop: this file by any name, and whatever kut-load loaded."""
    return [objfile.filename for objfile in gdb.objfiles()
            if objfile.is_valid() and objfile.filename
            and (objfile.filename in _loaded or _same_file(objfile.filename, symbols_path))]


def unload(name):
    """Drops one symbol file; returns the command that would read it back."""
    quoted = quote_argument(name, "file name")
    # gdb's main symbol file (gdb X.elf, file X.elf) was read at the link
    # address, and remove-symbol-file does not take it: symbol-file drops it.
    if name == gdb.current_progspace().filename:
        command, restore = "symbol-file", "symbol-file " + quoted
    else:
        command, restore = "remove-symbol-file " + quoted, _loaded.get(name)
    try:
        run_without_confirm(command)
    except gdb.error as error:
        raise LoadError("cannot remove the earlier symbols of %s: %s" % (name, error))
    return restore


def load(plan):
    """Replaces any earlier copy of the test's symbols with the planned one;
    if gdb refuses the new file, the earlier symbols come back."""
    removed = earlier_copies(plan.elf_path)
    restores = [unload(name) for name in removed]
    command = plan.add_symbol_file_command()
    try:
        run_without_confirm(command)
    except gdb.error as error:
        for restore in filter(None, restores):
            run_without_confirm(restore)
        raise LoadError("gdb could not load symbols from %s: %s" % (plan.elf_path, error))
    for name in removed:
        _loaded.pop(name, None)
    _loaded[plan.elf_path] = command
