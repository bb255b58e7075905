"""32-bit arm: QEMU's boot loader loads the entry from a literal into pc,
possibly after calling board-setup code (see native/boot_arm.h)."""

from .boot import bootloader_address, decoded

# QEMU's arm boot loader is 0x1c bytes, or 0x28 with the board-setup call
# (raspi2b, xilinx-zynq-a9); one read of this many bytes covers either.
WINDOW = 0x80


def find(target, native):
    roms = target.roms()
    address, where = bootloader_address(roms, target.boot_cpu_pc)
    code = target.read_memory(address, WINDOW)
    return decoded(where, address, code, native.decode_arm_boot)
