"""aarch64 virt: QEMU's boot loader loads the entry from a literal and
branches to it (see native/boot_aarch64.h)."""

from .boot import DetectionError, LoadAddress, bootloader_address, kernel_rom

# QEMU's aarch64 boot loader is 0x28 bytes of code and literals; one read of
# this many bytes covers it and any board-setup prefix a newer QEMU may add.
WINDOW = 0x80


def find(target, native):
    roms = target.roms()
    address, where = bootloader_address(roms, target.boot_cpu_pc)
    code = target.read_memory(address, WINDOW)
    entry = native.decode_aarch64_boot(code, address)
    if not entry.found:
        raise DetectionError("could not decode %s at %#x: %s"
                             % (where, address, entry.reason), entry.listing)
    rom = kernel_rom(roms, entry.entry)
    return LoadAddress(entry.entry, "decoded from %s at %#x (%s)"
                       % (where, address, entry.method),
                       entry.listing, rom.name if rom else "")
