"""QEMU's boot code as read from paused guests, for the native decoders'
tests and the finders' that run them."""

import struct

# QEMU 7.2 hw/arm/boot.c bootloader_aarch64, as read from a paused virt guest.
QEMU_AARCH64_VIRT = struct.pack("<6I2Q", 0x580000c0, 0xaa1f03e1, 0xaa1f03e2, 0xaa1f03e3,
                                0x58000084, 0xd61f0080, 0x44000000, 0x40080000)


def words(*values):
    return struct.pack("<%dI" % len(values), *values)


# QEMU 7.2 (Debian 1:7.2+dfsg-7) hw/arm/boot.c bootloader[] without the
# board-setup call, as read from a paused `-machine virt` guest.
QEMU_ARM_VIRT = words(0xe3a00000, 0xe59f1004, 0xe59f2004, 0xe59ff004,
                      0xffffffff, 0x44000000, 0x40010000)

MAGIC = 0x4942534f  # "OSBI"

# QEMU 7.2 (Debian 1:7.2+dfsg-7) hw/riscv/boot.c riscv_setup_rom_reset_vec,
# as read from paused `-machine virt` guests: the code, the firmware and fdt
# addresses, then mrom.finfo (fw_dynamic_info version 2).
RESET_CODE_64 = (0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283, 0x00028067)
RESET_CODE_32 = (0x00000297, 0x02828613, 0xf1402573, 0x0202a583, 0x0182a283, 0x00028067)


def reset_vector(code, firmware=0x80000000, fdt=0x87e00000):
    return struct.pack("<6I2Q", *code, firmware, fdt)


def fw_dynamic_info(xlen, magic=MAGIC, version=2, next_addr=0x80200000, next_mode=1,
                    fields=6):
    values = (magic, version, next_addr, next_mode, 0, 0)[:fields]
    return struct.pack("<%d%s" % (fields, "Q" if xlen == 64 else "I"), *values)


# qemu-system-riscv64 -machine virt (OpenSBI, then the test at 0x80200000).
QEMU_RV64 = reset_vector(RESET_CODE_64) + fw_dynamic_info(64)
# qemu-system-riscv32 -machine virt -bios none: the reset vector jumps to the
# test at 0x80000000 itself, and fw_dynamic_info still names it.
QEMU_RV32 = (reset_vector(RESET_CODE_32, 0x80000000) +
             fw_dynamic_info(32, next_addr=0x80000000))
