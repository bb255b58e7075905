"""RISC-V virt: QEMU's reset vector jumps to OpenSBI with a2 pointing to a
fw_dynamic_info whose next_addr is the test (see native/boot_riscv.h)."""

from kut_load.finders.load_address import DetectionError, decoded_usual_first

# Where QEMU's virt, sifive_u and spike machines put the reset vector when
# `monitor info roms` cannot say.
DEFAULT_RESET_VECTOR = 0x1000
# The reset vector (0x28 bytes) and an RV64 fw_dynamic_info (0x30 bytes).
DEFAULT_WINDOW = 0x58
# More than this between mrom.reset and the end of mrom.finfo is not QEMU's layout.
MAX_WINDOW = 0x1000


def reset_vector_window(roms):
    """(address, length, where) of one read covering mrom.reset and mrom.finfo."""
    by_name = {rom.name: rom for rom in roms}
    reset = by_name.get("mrom.reset")
    if reset is None:
        return DEFAULT_RESET_VECTOR, DEFAULT_WINDOW, "the reset vector"
    length = max(reset.size, DEFAULT_WINDOW)
    info = by_name.get("mrom.finfo")
    if info is not None and info.address >= reset.address:
        length = max(length, info.address + info.size - reset.address)
    return reset.address, min(length, MAX_WINDOW), "QEMU's reset vector"


def finder(xlen):
    """find(target, native, image) for harts of xlen bits."""
    def find(target, native, image):
        # Read where the virt machine puts it first, then where QEMU's ROM list says.
        found = decoded_usual_first(
            target, "QEMU's reset vector", (DEFAULT_RESET_VECTOR, DEFAULT_WINDOW),
            lambda: reset_vector_window(target.roms()),
            lambda data, at: native.decode_riscv_boot(data, at, xlen))
        if found.address == 0:
            # hw/riscv/boot.c writes next_addr 0 when QEMU was given no -kernel.
            raise DetectionError(
                "OpenSBI's next stage is 0 in the fw_dynamic_info QEMU wrote, so QEMU "
                "was given no -kernel, and OpenSBI will not enter an image placed "
                "with -device loader; give the test to QEMU with -kernel", found.listing)
        return found
    return find
