"""Finds where QEMU put the test image, from the boot code it left in the
guest. Reads the target only through the small interface of target.py, so
it runs without gdb in the unit tests."""

from dataclasses import dataclass, field

# QEMU's aarch64 boot loader is 0x28 bytes of code and literals; one read of
# this many bytes covers it and any board-setup prefix a newer QEMU may add.
AARCH64_WINDOW = 0x80


class DetectionError(Exception):
    """The load address could not be told; listing shows what was read."""

    def __init__(self, message, listing=()):
        super().__init__(message)
        self.listing = list(listing)


@dataclass
class LoadAddress:
    address: int
    how: str                       # one phrase: how the address was found
    listing: list = field(default_factory=list)  # what was read, for -v
    kernel_name: str = ""          # the -kernel file QEMU reports, if it does


def bootloader_address(roms, fallback_pc):
    """Where QEMU's boot loader is: its ROM if QEMU lists it, else the boot CPU's PC."""
    for rom in roms:
        if rom.name == "bootloader":
            return rom.address, "QEMU's boot loader"
    return fallback_pc, "the boot code at the boot CPU's pc"


def kernel_rom(roms, address):
    """The ROM QEMU loaded at address, other than its own blobs."""
    for rom in roms:
        if rom.address == address and rom.name not in ("bootloader", "dtb", "fdt"):
            return rom
    return None


def find_aarch64(target, native):
    roms = target.roms()
    address, where = bootloader_address(roms, target.boot_cpu_pc())
    code = target.read_memory(address, AARCH64_WINDOW)
    entry = native.decode_aarch64_boot(code, address)
    if not entry.found:
        raise DetectionError("could not decode %s at %#x: %s"
                             % (where, address, entry.reason), entry.listing)
    rom = kernel_rom(roms, entry.entry)
    return LoadAddress(entry.entry, "decoded from %s at %#x (%s)"
                       % (where, address, entry.method),
                       entry.listing, rom.name if rom else "")


FINDERS = {
    "aarch64": find_aarch64,
}


def find_load_address(arch, target, native):
    finder = FINDERS.get(arch)
    if finder is None:
        raise DetectionError("kut-load does not know how QEMU boots %s; "
                             "give the address with --address" % arch)
    return finder(target, native)
