"""32-bit arm: QEMU's boot loader loads the entry from a literal into pc,
possibly after calling board-setup code (see native/boot_arm.h)."""

from .boot import decode_boot_loader

# QEMU's arm boot loader is 0x1c bytes, or 0x28 with the board-setup call
# (raspi2b, xilinx-zynq-a9); one read of this many bytes covers either.
WINDOW = 0x80

# QEMU's virt machine puts its boot loader at the base of RAM (hw/arm/virt.c).
VIRT_BOOT_LOADER = 0x40000000


def find(target, native):
    return decode_boot_loader(target, VIRT_BOOT_LOADER, WINDOW, native.decode_arm_boot)
