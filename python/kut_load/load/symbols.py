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

import os

import gdb

from kut_load import breakpoints
from kut_load.errors import KutLoadError
from kut_load.session import symbol_files
from kut_load.quoting import quote_argument

# Real paths of the symbol files kut-load loaded in this gdb: a new load
# replaces them. Real paths, as gdb names an objfile read through a symlink.
_loaded = set()


class LoadError(KutLoadError):
    """gdb refused to load or unload symbols."""


# Set while one of kut-load's own symbol commands runs (new_objfile events then are its own).
_running = [False]


def running_own_command():
    return _running[0]


def run_symbol_command(command):
    """Runs one of gdb's symbol commands. gdb asks its "(y or n)" of a command
    typed at the terminal only (from_tty), never of one run from Python, so no
    setting changes: a front end over MI would see each change of `confirm`."""
    _running[0] = True
    try:
        return gdb.execute(command, to_string=True)
    finally:
        _running[0] = False


def load(plan, test_paths, level, as_main=False):
    """Loads plan's symbols and drops every earlier copy of the test: files
    kut-load loaded, any of test_paths (the test's ELF by any name), and a
    main file of another test; `level` is the frame to select again after.
    as_main: read them as gdb's main file where there is none (symbol-file).
    Returns lines saying what else changed."""
    enabled = enabled_breakpoints()
    try:
        notes = replace_symbols(plan, test_paths, as_main)
    finally:
        # New symbols flush gdb's frame cache, which selects frame 0 again.
        select_frame_level(level)
        disabled_by_gdb = enable_again(enabled)
    return notes + [disabled_note(bp, plan.elf_path) for bp in disabled_by_gdb]


def selected_frame_level():
    """How many frames the selected one is above the newest, or None.
    Read from the `frame` command: a gdb.Frame computes the frame's id, which
    on arm costs a remote memory read that the printed frame does not."""
    try:
        shown = gdb.execute("frame", to_string=True)
    except gdb.error:
        return None  # no stack
    # "#2  0x... in f () at f.c:3"
    level = shown[1:].split(None, 1)[0] if shown.startswith("#") else ""
    return int(level) if level.isdigit() else None


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


def enabled_breakpoints():
    """The user's enabled code breakpoints (kut-load's own are internal)."""
    return [bp for bp in gdb.breakpoints() if bp.is_valid() and bp.enabled
            and bp.type in breakpoints.CODE_TYPES]


def enable_again(enabled):
    """gdb disables a breakpoint it cannot re-set when symbol files change
    (breakpoint.c). One left with no location is enabled again, pending, as the
    user had it; one left at its old address stays disabled, as that address
    now holds other code. Returns every breakpoint gdb disabled."""
    disabled = [bp for bp in enabled if bp.is_valid() and not bp.enabled]
    for bp in disabled:
        if bp.pending:
            try:
                bp.enabled = True
            except (gdb.error, RuntimeError):
                pass  # the note then says it stays disabled
    return disabled


def disabled_note(bp, elf_path):
    if bp.enabled:
        return ("breakpoint %d (%s) is in none of %s's functions; it stays enabled, pending"
                % (bp.number, bp.location, elf_path))
    return ("gdb could not re-set breakpoint %d (%s) in %s's symbols and disabled it"
            % (bp.number, bp.location, elf_path))


class Replacement:
    """What loading plan changes in gdb: load, the command that reads the new
    symbols; removals, one command per earlier copy to drop after it;
    replaced_main, gdb's main file when load replaces it; notes, what to tell.
    as_main: with no main file, the symbols become it (symbol-file -o)."""

    def __init__(self, plan, test_paths, as_main=False):
        self.main_name = gdb.current_progspace().filename
        files = [objfile.filename for objfile in symbol_files()]
        if files or self.main_name:
            self._find_copies(plan, test_paths, files)
        else:  # a session with no symbols yet: nothing to replace
            self.copies, self.notes, self.replaced_main = [], [], None
        # A replaced main file: the same FILE -o OFFSET, read as gdb's new main file.
        self.load = plan.add_symbol_file_command(
            "symbol-file" if self.replaced_main or (as_main and not self.main_name)
            else "add-symbol-file")
        # remove-symbol-file takes add-symbol-file's files only, oldest first.
        self.removals = ["remove-symbol-file " + quote_argument(name, "file name")
                         for name in self.copies
                         for _ in range(files.count(name) - (name == self.main_name))]

    def _find_copies(self, plan, test_paths, files):
        from kut_load.load import main_file  # only a session with symbols has copies to tell apart
        self.copies = sorted(name for name in set(files) if os.path.realpath(name) in _loaded
                             or main_file.same_file(name, [plan.elf_path, *test_paths]))
        role = (main_file.role(self.main_name, self.copies, plan) if self.main_name
                else main_file.KEEP)
        self.notes = []
        if role == main_file.OTHER_TEST:
            self.notes.append("gdb's main file %s is another test or another build of it; "
                              "replaced it" % self.main_name)
        elif role == main_file.SAME_TEST:
            self.notes.append("gdb's main file %s is this test's own build of %s, read at its "
                              "link address; replaced it" % (self.main_name, plan.elf_path))
        self.replaced_main = self.main_name if role != main_file.KEEP else None

    def commands(self):
        return [self.load] + self.removals


def planned_commands(plan, test_paths):
    """The gdb commands load() would run, in order, for --dry-run."""
    return Replacement(plan, test_paths).commands()


def replace_symbols(plan, test_paths, as_main=False):
    replacement = Replacement(plan, test_paths, as_main)
    try:
        run_symbol_command(replacement.load)
    except gdb.error as error:
        put_main_back(replacement.replaced_main)
        raise LoadError("gdb could not load symbols from %s: %s" % (plan.elf_path, error))
    for removal in replacement.removals:
        try:
            run_symbol_command(removal)
        except gdb.error as error:
            raise LoadError("loaded the new symbols, but gdb kept an earlier copy (%s: %s); "
                            "drop it with remove-symbol-file" % (removal, error))
    _loaded.difference_update(os.path.realpath(name) for name in replacement.copies)
    _loaded.add(os.path.realpath(plan.elf_path))
    return replacement.notes


def put_main_back(main_name):
    """Reads gdb's main file again if a failed symbol-file dropped it."""
    if main_name and gdb.current_progspace().filename is None:
        try:
            run_symbol_command("symbol-file " + quote_argument(main_name, "file name"))
        except gdb.error:
            pass
