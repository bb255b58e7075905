"""aarch64 virt: QEMU's boot loader loads the entry from a literal and
branches to it (see native/boot_aarch64.h)."""

from .boot import bootloader_address, decoded

# QEMU's aarch64 boot loader is 0x28 bytes of code and literals; one read of
# this many bytes covers it and any board-setup prefix a newer QEMU may add.
WINDOW = 0x80


def find(target, native):
    roms = target.roms()
    address, where = bootloader_address(roms, target.boot_cpu_pc)
    code = target.read_memory(address, WINDOW)
    return decoded(where, address, code, native.decode_aarch64_boot)
