"""Where an ELF's DWARF is: in the file, or in a separate debug file named by
.gnu_debuglink or build-id, looked up as gdb does and checked as gdb does
(the debuglink's CRC-32 of the whole file, or the same build-id), so a debug
file left from another build is never used. Reads files only."""

import os
import zlib

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


STALE_WARNING = ("%s is not %s's debug file (its %s differs: it is from another "
                 "build), so kut-load did not use it; rebuild, or delete it")


def file_crc32(path):
    """The CRC-32 of the whole file, as .gnu_debuglink records it."""
    crc = 0
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            crc = zlib.crc32(block, crc)
    return crc


def native_build_id(path):
    """The build-id of the ELF at path, as hex, or "" if it has none or is no ELF."""
    from kut_load import native
    helper = native.load()
    try:
        return helper.ElfImage(path).debug_info.build_id
    except helper.ElfError:
        return ""


def mismatch(debug, path, build_id_of):
    """What differs between the ELF's debug_info and the debug file at path
    ("build-id" or "CRC"), or None when the file belongs to the ELF."""
    if debug.build_id:
        return None if build_id_of(path) == debug.build_id else "build-id"
    if debug.debuglink:
        return None if file_crc32(path) == debug.debuglink_crc else "CRC"
    return "build-id"


def symbol_file(image, elf_path, build_id_of=native_build_id):
    """(path to give gdb, warning or None) for the ELF at elf_path; build_id_of
    reads a debug file's build-id."""
    debug = image.debug_info
    if debug.has_dwarf:
        return elf_path, None
    stale = None
    for path in candidate_paths(elf_path, debug.debuglink, debug.build_id):
        if os.path.isfile(path):
            differs = mismatch(debug, path, build_id_of)
            if differs is None:
                return path, None
            stale = stale or STALE_WARNING % (path, elf_path, differs)
    if stale:
        return elf_path, stale
    if not image.has_symbols:
        return elf_path, NO_SYMBOLS_WARNING % elf_path
    return elf_path, NO_DWARF_WARNING % elf_path
