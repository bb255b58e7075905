"""From the file QEMU was given (-kernel X.flat) to the ELF with its symbols,
looked up where the user and QEMU would look. Pure but for the filesystem."""

import os
import re

# x86: QEMU's multiboot loader names each segment it placed.
_SEGMENT_SUFFIX = re.compile(r" ELF program header segment \d+$")


def file_name_of(rom):
    """The file a ROM came from: its name without QEMU's segment suffix."""
    return _SEGMENT_SUFFIX.sub("", rom.name)


def kernel_name(roms, load_address):
    """The -kernel file name QEMU reports for the image, or ''."""
    for rom in roms:
        if rom.address == load_address and rom.name not in ("bootloader", "dtb", "fdt"):
            return file_name_of(rom)
    for rom in roms:
        if _SEGMENT_SUFFIX.search(rom.name):
            return file_name_of(rom)
    return ""


def symbol_file_name(kernel):
    """X.flat -> X.elf, X.efi -> X.efi.debug; an ELF stays as it is."""
    root, extension = os.path.splitext(kernel)
    if extension == ".flat":
        return root + ".elf"
    if extension == ".efi":
        return kernel + ".debug"
    return kernel


def candidates(name, directories):
    """Absolute paths to try, in order; an absolute name is its own only one."""
    if os.path.isabs(name):
        return [name]
    return [os.path.normpath(os.path.join(directory, name)) for directory in directories
            if directory]


def locate(kernel, directories):
    """The first existing symbol file for kernel, or raises FileNotFoundError
    naming every place it looked."""
    name = symbol_file_name(kernel)
    tried = candidates(name, directories)
    for path in tried:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        "QEMU loaded %s, but its symbol file %s is not in %s; give the ELF's path"
        % (kernel, name, " nor ".join(tried) if tried else "any known directory"))
