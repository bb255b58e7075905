"""Hands a load plan to gdb: the planned symbols replace every earlier copy
of the test's symbols, and nothing else in the session changes; when gdb
refuses, the session is left as it was.

gdb facts this depends on (symfile.c):
- `symbol-file` with no argument drops every symbol file, and gdb then
  disables each breakpoint it cannot re-set; `symbol-file FILE -o OFFSET`
  replaces only the main file, and re-sets breakpoints in the new one.
- `remove-symbol-file NAME` takes the first file added with add-symbol-file
  under that exact name, never the main file, and gdb keeps the new ones
  after the old ones; so loading first and removing after removes only the
  old copies, and breakpoints always have the new place to move to.
"""

import gdb

from . import main_file
from .errors import KutLoadError
from .quoting import hex_address, quote_argument

# Names of the symbol files kut-load loaded in this gdb: a new load replaces them.
_loaded = set()


class LoadError(KutLoadError):
    """gdb refused to load or unload symbols."""


def run_without_confirm(command):
    """Runs one gdb command with confirm off, and puts confirm back after."""
    confirm = gdb.parameter("confirm")
    gdb.execute("set confirm off", to_string=True)
    try:
        return gdb.execute(command, to_string=True)
    finally:
        gdb.execute("set confirm %s" % ("on" if confirm else "off"), to_string=True)


def symbol_files():
    """The valid objfiles the user or kut-load read, without separate debug files."""
    return [objfile for objfile in gdb.objfiles()
            if objfile.is_valid() and objfile.filename and objfile.owner is None]


def load(plan, test_paths):
    """Loads plan's symbols and drops every earlier copy of the test: files
    kut-load loaded, any of test_paths (the test's ELF by any name), and a
    main file of another test. Returns lines saying what else changed."""
    level = selected_frame_level()
    try:
        return replace_symbols(plan, test_paths)
    finally:
        # New symbols flush gdb's frame cache, which selects frame 0 again.
        select_frame_level(level)


def selected_frame_level():
    """How many frames the selected one is above the newest, or None."""
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        return None
    level = 0
    while frame.newer() is not None:
        level, frame = level + 1, frame.newer()
    return level


def select_frame_level(level):
    if not level:
        return
    try:
        frame = gdb.newest_frame()
        for _ in range(level):
            frame = frame.older() or frame
        frame.select()
    except gdb.error:
        pass  # the target went away: nothing to select


def replace_symbols(plan, test_paths):
    main_name = gdb.current_progspace().filename
    copies = [name for name in {objfile.filename for objfile in symbol_files()}
              if name in _loaded or main_file.same_file(name, [plan.elf_path, *test_paths])]
    main_role = main_file.role(main_name, copies, plan) if main_name else main_file.KEEP
    added_copies = {name: count_added(name, main_name) for name in copies}
    notes = []
    if main_role == main_file.OTHER_TEST:
        notes.append("gdb's main file %s is another test's; replaced it" % main_name)
    if main_role == main_file.KEEP:
        command = "add-symbol-file %s -o %s"
    else:
        command = "symbol-file %s -o %s"
    command %= (quote_argument(plan.elf_path, "file name"), hex_address(plan.offset))
    try:
        run_without_confirm(command)
    except gdb.error as error:
        put_main_back(main_name)
        raise LoadError("gdb could not load symbols from %s: %s" % (plan.elf_path, error))
    for name, count in added_copies.items():
        for _ in range(count):
            remove_added(name)
    _loaded.difference_update(copies)
    _loaded.add(plan.elf_path)
    return notes


def count_added(name, main_name):
    """How many files named name came from add-symbol-file, not gdb's main file."""
    count = sum(objfile.filename == name for objfile in symbol_files())
    return count - (name == main_name)


def remove_added(name):
    try:
        run_without_confirm("remove-symbol-file " + quote_argument(name, "file name"))
    except gdb.error as error:
        raise LoadError("loaded the new symbols, but gdb kept an earlier copy of %s: %s; "
                        "remove it with remove-symbol-file" % (name, error))


def put_main_back(main_name):
    """Reads gdb's main file again if a failed symbol-file dropped it."""
    if main_name and gdb.current_progspace().filename is None:
        try:
            run_without_confirm("symbol-file " + quote_argument(main_name, "file name"))
        except gdb.error:
            pass
