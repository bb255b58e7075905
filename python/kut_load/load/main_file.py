"""What gdb's main symbol file (gdb X.elf, file X.elf) is to the test that
runs: a copy of it, another test's file, or something of the user's own,
such as a firmware's symbols at the firmware's addresses. Reads files only."""

import os

from kut_load import native, file_names
from kut_load.errors import KutLoadError

KEEP = "keep"              # the user's own file, elsewhere in the guest: left alone
COPY = "copy"              # the running test's file, read at its link address
OTHER_TEST = "other test"  # another test or build: its names would answer for the test's
SAME_TEST = "same test"    # the test's own file by another name (X.so beside X.efi.debug)


class MainFileError(KutLoadError):
    """gdb's main file would answer for the test's addresses, but is not a test."""


def same_file(name, paths):
    """Whether the file name is one of paths, by any name (links, relative paths)."""
    for path in paths:
        try:
            if os.path.samefile(name, path):
                return True
        except OSError:
            if os.path.abspath(name) == os.path.abspath(path):
                return True
    return False


def same_build(image, main, elf_path):
    """Whether image is the build elf_path comes from: the same build-id, or
    without one, the X.so that X.efi.debug was split from, beside it, with
    main at the same link address and of the same size."""
    try:
        test = native.load().ElfImage(elf_path)
    except (native.elf_error(), OSError):
        return False
    ours, theirs = image.debug_info.build_id, test.debug_info.build_id
    if ours or theirs:
        return ours == theirs
    stem = os.path.join(os.path.dirname(os.path.abspath(elf_path)),
                        os.path.basename(elf_path).split(".")[0])
    # The EFI build links X.so, which objcopy turns into X.efi and X.efi.debug.
    built_from = os.path.abspath(image.path) == stem + ".so"
    if not (elf_path.endswith(file_names.EFI_DEBUG) and built_from):
        return False
    test_main = test.find_symbol("main")
    return bool(test_main) and (test_main.address, test_main.size) == (main.address, main.size)


def guest_range(plan):
    """(lowest, end) of the guest addresses the plan's sections take."""
    placed = [(s.address, s.address + s.size) for s in plan.sections if s.size > 0]
    return min(low for low, _ in placed), max(high for _, high in placed)


def role(main_name, copies, plan):
    """KEEP, COPY or OTHER_TEST for gdb's main file main_name; MainFileError
    when it is no test but has symbols where the test is in the guest."""
    if main_name in copies:
        return COPY
    try:
        image = native.load().ElfImage(main_name)
    except (native.elf_error(), OSError):
        return KEEP  # not an ELF native can read: gdb read it as something else
    # Every test has a main; firmware and boot loaders do not.
    main = image.find_symbol("main")
    if main:
        return SAME_TEST if same_build(image, main, plan.elf_path) else OTHER_TEST
    low, end = guest_range(plan)
    for section in image.sections:
        if section.allocated and section.size and section.address < end \
                and low < section.address + section.size:
            raise MainFileError(
                "gdb's main file %s has section %s at %#x, inside the test's image in the "
                "guest (%#x-%#x); load it with add-symbol-file at its real address, or drop "
                "it with 'symbol-file' and 'kut-load' again"
                % (main_name, section.name, section.address, low, end))
    return KEEP
