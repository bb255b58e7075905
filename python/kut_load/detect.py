"""Finds the test image's load address: the boot-code finder for the
target's architecture first, then QEMU's ROM list, then the image's own
bytes in guest memory."""

from . import boot_aarch64, boot_arm, boot_riscv, boot_x86
from .boot import DetectionError, LoadAddress
from .errors import TargetError

FINDERS = {
    "aarch64": boot_aarch64.find,
    "arm": boot_arm.find,
    "riscv64": boot_riscv.find_riscv64,
    "riscv32": boot_riscv.find_riscv32,
    "x86-64": boot_x86.find,
    "i386": boot_x86.find,
}

# Where QEMU's virt boards put a raw -kernel image, to check by contents.
USUAL_LOAD_ADDRESSES = {
    "aarch64": [0x40080000],
    "arm": [0x40010000],
    "riscv64": [0x80200000],
    "riscv32": [0x80400000],
}


def find_load_address(arch, target, native):
    """LoadAddress of the test image; DetectionError when it cannot be told."""
    finder = FINDERS.get(arch)
    try:
        if finder is None:
            raise DetectionError("kut-load does not know how QEMU boots %s" % arch)
        return finder(target, native)
    except DetectionError as error:
        from . import kernel_file  # the fallback only
        rom = kernel_file.kernel_rom(target.roms())
        if rom is None:
            raise
        name = kernel_file.file_name_of(rom)
        return LoadAddress(rom.address, "from QEMU's ROM list, which has %s there (%s)"
                           % (name, error), error.listing)


def find_by_contents(arch, image, start, read_memory, expected, pcs):
    """The load address at which the image's first code bytes are in memory.

    Tries where QEMU usually loads images, then searches the memory around
    each CPU's pc, in case a CPU runs inside the image."""
    code_offset, code = expected
    for base in USUAL_LOAD_ADDRESSES.get(arch, []):
        try:
            if read_memory(base + code_offset, len(code)) == code:
                return LoadAddress(base, "found by its code at %#x, where QEMU usually "
                                   "loads images" % base)
        except TargetError:  # unreadable: not there
            continue
    extent = max(s.address + s.size for s in image.sections if s.allocated) - start
    span = min(extent, 2 << 20)
    for pc in sorted(set(p for p in pcs if p)):
        low = max(0, (pc & ~0xfff) - span)
        try:
            memory = read_memory(low, pc - low + 0x1000)
        except TargetError:
            continue
        at = memory.find(code)
        while at >= 0 and (low + at - code_offset) % 4:
            at = memory.find(code, at + 1)
        if at >= 0:
            base = low + at - code_offset
            return LoadAddress(base, "found by its code in memory near a CPU's pc "
                               "%#x" % pc)
    raise DetectionError("could not find the image in memory by its contents either; "
                         "give the address with --address")
