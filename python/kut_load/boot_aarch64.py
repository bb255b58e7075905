"""aarch64 virt: QEMU's boot loader loads the entry from a literal and
branches to it (see native/boot_aarch64.h)."""

from .boot import decode_boot_loader

# QEMU's aarch64 boot loader is 0x28 bytes of code and literals; one read of
# this many bytes covers it and any board-setup prefix a newer QEMU may add.
WINDOW = 0x80

# QEMU's virt machine puts its boot loader at the base of RAM (hw/arm/virt.c).
VIRT_BOOT_LOADER = 0x40000000


def find(target, native):
    return decode_boot_loader(target, VIRT_BOOT_LOADER, WINDOW, native.decode_aarch64_boot)
