"""arm and aarch64 virt: QEMU's boot loader (hw/arm/boot.c's bootloader and
bootloader_aarch64) loads the entry from a literal and branches to it,
possibly after calling board-setup code (see native/boot_aarch64.h and
native/boot_arm.h)."""

from kut_load.finders.load_address import decoded_usual_first

# QEMU's boot loaders are 0x1c to 0x28 bytes of code and literals; one read
# of this many covers them and a board-setup prefix (raspi2b, xilinx-zynq-a9).
WINDOW = 0x80


def bootloader_address(roms, read_boot_cpu_pc):
    """Where QEMU's boot loader is: its ROM if QEMU lists it, else the boot CPU's pc."""
    for rom in roms:
        if rom.name == "bootloader":
            return rom.address, "QEMU's boot loader"
    return read_boot_cpu_pc(), "the boot code at the boot CPU's pc"


def finder(decoder_name, usual_address):
    """find(target, native, image) decoding the boot loader with the native
    decoder of that name: first at usual_address, where the virt machine puts
    it (hw/arm/virt.c: the base of RAM), then where QEMU's ROM list, or else
    the boot CPU's pc, says (boot.decoded_usual_first)."""
    def find(target, native, image):
        def listed():
            address, where = bootloader_address(target.roms(), target.boot_cpu_pc)
            return address, WINDOW, where
        return decoded_usual_first(target, "QEMU's boot loader", (usual_address, WINDOW),
                                   listed, getattr(native, decoder_name))
    return find
