"""arm and aarch64 virt: QEMU's boot loader (hw/arm/boot.c's bootloader and
bootloader_aarch64) loads the entry from a literal and branches to it,
possibly after calling board-setup code (see native/boot_aarch64.h and
native/boot_arm.h)."""

from .boot import decoded

# QEMU's boot loaders are 0x1c to 0x28 bytes of code and literals; one read
# of this many covers them and a board-setup prefix (raspi2b, xilinx-zynq-a9).
WINDOW = 0x80


def bootloader_address(roms, read_boot_cpu_pc):
    """Where QEMU's boot loader is: its ROM if QEMU lists it, else the boot CPU's pc."""
    for rom in roms:
        if rom.name == "bootloader":
            return rom.address, "QEMU's boot loader"
    return read_boot_cpu_pc(), "the boot code at the boot CPU's pc"


def finder(decoder_name):
    """find(target, native, image) decoding the boot loader with the native
    decoder of that name."""
    def find(target, native, image):
        address, where = bootloader_address(target.roms(), target.boot_cpu_pc)
        code = target.read_memory(address, WINDOW)
        return decoded(where, address, code, getattr(native, decoder_name))
    return find
