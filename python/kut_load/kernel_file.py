"""From the file QEMU was given (-kernel X.flat) to the ELF with its symbols,
looked up where the user and QEMU would look. Pure but for the filesystem."""

import os
import re

# Blobs QEMU places itself, by ROM name; anything else in RAM is the -kernel file.
_QEMU_BLOBS = ("bootloader", "dtb", "fdt", "mrom.reset", "mrom.finfo")
# Firmware and option ROMs QEMU loads from its data directory, by file name:
# only a last resort, when no load address says where the test is.
_FIRMWARE_PREFIXES = ("opensbi", "bios", "vgabios", "sgabios", "qemu_efi", "edk2", "ovmf",
                      "efi-", "pxe-", "linuxboot", "multiboot", "kvmvapic", "pvh.bin")

# x86: QEMU's multiboot loader names each segment it placed.
_SEGMENT_SUFFIX = re.compile(r" ELF program header segment \d+$")


def file_name_of(rom):
    """The file a ROM came from: its name without QEMU's segment suffix."""
    return _SEGMENT_SUFFIX.sub("", rom.name)


def kernel_rom(roms, address=None):
    """The ROM holding the test, or None when QEMU's list cannot tell: the RAM
    ROM that holds address (the load address found from the boot code), or
    without an address the only RAM ROM QEMU neither made itself nor found
    among its own firmware. A firmware the user gave (-bios fw_jump.elf) is
    never taken for the test by its name: only by where the test is."""
    loaded = [rom for rom in roms
              if rom.memory == "ram" and rom.size > 0 and rom.name not in _QEMU_BLOBS]
    if address is not None:
        return next((rom for rom in loaded if rom.contains(address)), None)
    loaded = [rom for rom in loaded
              if not os.path.basename(rom.name).lower().startswith(_FIRMWARE_PREFIXES)]
    return loaded[0] if len({file_name_of(rom) for rom in loaded}) == 1 else None


def rom_file_name(roms, address=None):
    """The file name of kernel_rom(roms, address), or None."""
    rom = kernel_rom(roms, address)
    return file_name_of(rom) if rom else None


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
    """Every distinct existing symbol file for kernel, in the directories'
    order, or FileNotFoundError naming every place it looked."""
    name = symbol_file_name(kernel)
    tried = candidates(name, directories)
    found = []
    for path in tried:
        if os.path.isfile(path) and os.path.realpath(path) not in map(os.path.realpath, found):
            found.append(path)
    if not found:
        raise FileNotFoundError(
            "QEMU loaded %s, but its symbol file %s is not in %s; give the ELF's path"
            % (kernel, name, " nor ".join(tried) if tried else "any known directory"))
    return found
