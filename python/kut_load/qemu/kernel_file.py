"""From the file QEMU was given (-kernel X.flat) to the ELF with its symbols,
looked up where the user and QEMU would look. Pure but for the filesystem."""

import os

from kut_load import file_names
from kut_load.arches import firmware_names
from kut_load.qemu.roms import segment_of

# Blobs QEMU places itself, by ROM name; anything else in RAM is the -kernel file.
_QEMU_BLOBS = ("bootloader", "dtb", "fdt", "mrom.reset", "mrom.finfo")


def file_name_of(rom):
    """The file a ROM came from: its name without QEMU's segment suffix."""
    segment = segment_of(rom.name)
    return segment[0] if segment else rom.name


def is_firmware(name):
    """Whether a file QEMU loaded is firmware (-bios, -kernel u-boot.bin), by its name."""
    return os.path.basename(name).lower().startswith(firmware_names())


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
    loaded = [rom for rom in loaded if not is_firmware(rom.name)]
    return loaded[0] if len({file_name_of(rom) for rom in loaded}) == 1 else None


def rom_file_name(roms, address=None):
    """The file name of kernel_rom(roms, address), or None."""
    rom = kernel_rom(roms, address)
    return file_name_of(rom) if rom else None


def candidates(name, directories):
    """Absolute paths to try, in order; an absolute name is its own only one."""
    if os.path.isabs(name):
        return [name]
    return [os.path.normpath(os.path.join(directory, name)) for directory in directories
            if directory]


def locate(kernel, directories):
    """Every distinct existing symbol file for kernel, in the directories'
    order, or FileNotFoundError naming every place it looked."""
    name = file_names.symbol_file_name(kernel)
    tried = candidates(name, directories)
    found = []
    for path in tried:
        if os.path.isfile(path) and os.path.realpath(path) not in map(os.path.realpath, found):
            found.append(path)
    if not found and os.path.isabs(name):
        raise FileNotFoundError("QEMU loaded %s, but its symbol file %s does not exist; "
                                "give the ELF's path" % (kernel, name))
    if not found:
        raise FileNotFoundError(
            "QEMU loaded %s, but its symbol file %s is not in %s; give the ELF's path"
            % (kernel, name, " nor ".join(tried) if tried else "any known directory"))
    return found
