"""Hands a load plan to gdb: removes earlier copies of the test's symbols,
then runs add-symbol-file with the user's settings left as they were."""

import os

import gdb

from .quoting import quote_argument

# Files kut-load loaded in this gdb, so that a new load replaces them all.
_loaded_paths = set()


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


def earlier_copies(elf_path):
    """Symbol files to drop: this file by any name, and whatever kut-load loaded."""
    names = []
    for objfile in gdb.objfiles():
        if not objfile.is_valid() or not objfile.filename:
            continue
        if objfile.filename in _loaded_paths or _same_file(objfile.filename, elf_path):
            names.append(objfile.filename)
    return names


def unload(names):
    for name in names:
        try:
            run_without_confirm("remove-symbol-file " + quote_argument(name, "file name"))
        except gdb.error as error:
            raise LoadError("cannot remove the earlier symbols of %s: %s" % (name, error))
        _loaded_paths.discard(name)


def load(plan):
    """Replaces any earlier copy of the test's symbols with the planned one."""
    unload(earlier_copies(plan.elf_path))
    try:
        run_without_confirm(plan.add_symbol_file_command())
    except gdb.error as error:
        raise LoadError("gdb could not load symbols from %s: %s" % (plan.elf_path, error))
    _loaded_paths.add(plan.elf_path)
