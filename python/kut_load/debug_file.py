"""Where an ELF's DWARF is: in the file, or in a separate debug file named by
.gnu_debuglink or build-id, looked up as gdb does. Pure but for os.path."""

import os

GLOBAL_DEBUG_DIR = "/usr/lib/debug"

NO_DWARF_WARNING = (
    "%s has symbols but no debug info, so gdb will show functions but no file:line "
    "or local variables; kvm-unit-tests trees older than the commit 'arm/flat.lds: "
    "don't drop debug during link' discard .debug* at link time: rebuild from a newer tree")

NO_SYMBOLS_WARNING = ("%s has neither symbols nor debug info; gdb will know nothing "
                      "about it")


def candidate_paths(elf_path, debuglink, build_id):
    directory = os.path.dirname(elf_path)
    paths = []
    if build_id and len(build_id) > 2:
        tail = os.path.join(".build-id", build_id[:2], build_id[2:] + ".debug")
        paths += [os.path.join(directory, tail), os.path.join(GLOBAL_DEBUG_DIR, tail)]
    if debuglink and os.path.basename(debuglink) == debuglink:
        paths += [os.path.join(directory, debuglink),
                  os.path.join(directory, ".debug", debuglink),
                  GLOBAL_DEBUG_DIR + os.path.join(directory, debuglink)]
    return [path for path in paths if os.path.abspath(path) != os.path.abspath(elf_path)]


def symbol_file(image, elf_path):
    """(path to give gdb, warning or None) for the ELF at elf_path."""
    debug = image.debug_info
    if debug.has_dwarf:
        return elf_path, None
    for path in candidate_paths(elf_path, debug.debuglink, debug.build_id):
        if os.path.isfile(path):
            return path, None
    if not image.has_symbols:
        return elf_path, NO_SYMBOLS_WARNING % elf_path
    return elf_path, NO_DWARF_WARNING % elf_path
