"""The search by contents: when no boot code or ROM tells where the test
is, find its first code bytes in guest memory, where QEMU usually puts
tests and around each CPU's pc (a CPU may run inside the image)."""

from kut_load import arches
from kut_load.finders.load_address import DetectionError, LoadAddress
from kut_load.errors import TargetError
from kut_load.image.plan import image_start
from kut_load.image.verify import code_windows

# Bytes of the image's first code compared; enough to be unique in RAM.
CODE_BYTES = 64
# Memory searched below a pc is at most this, or the image's size if smaller.
MAX_SPAN = 2 << 20


def find(target, native, image):
    """LoadAddress at which the image's first code bytes are in memory."""
    arch = arches.of_elf(image.machine, image.bits)
    windows = code_windows(image)
    if not windows:
        raise DetectionError("%s has no code to look for in memory" % image.path)
    start = image_start(image)
    first = windows[0]
    code_offset = first.link_address() - start
    code = image.section_bytes(first.section.index, 0, CODE_BYTES)
    for base in arch.usual_addresses if arch else ():
        try:
            if target.read_memory(base + code_offset, len(code)) == code:
                return LoadAddress(base, "found by its code at %#x, where QEMU usually "
                                   "loads images" % base)
        except TargetError:  # unreadable: not there
            continue
    extent = max(s.address + s.size for s in image.sections if s.allocated) - start
    span = min(extent, MAX_SPAN)
    for pc in sorted(set(p for p in target.cpu_pcs() if p)):
        low = max(0, (pc & ~0xfff) - span)
        try:
            memory = target.read_memory(low, pc - low + 0x1000)
        except TargetError:
            continue
        at = memory.find(code)
        while at >= 0 and (low + at - code_offset) % 4:
            at = memory.find(code, at + 1)
        if at >= 0:
            return LoadAddress(low + at - code_offset, "found by its code in memory near "
                               "a CPU's pc %#x" % pc)
    raise DetectionError("could not find the image in memory by its contents either; "
                         "give the address with --address")
