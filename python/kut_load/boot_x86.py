"""x86 multiboot: QEMU's multiboot loader copies the ELF's segments to their
link addresses and enters the image directly, so there is no boot loader to
decode: the image starts at its own link address, known once the ELF is."""

import re

from .boot import DetectionError, LoadAddress
from .plan import PlanError, image_start
from .quoting import printable

HOW = ("x86 multiboot: QEMU loaded the ELF segments at their link addresses; "
       "no boot loader to decode")

# "x86/msr.flat ELF program header segment 1", one ROM per segment QEMU placed.
_SEGMENT = re.compile(r"^(?P<kernel>.*) ELF program header segment \d+$")


class LinkAddress(LoadAddress):
    """The image is where it was linked; segments are the (address, size)
    ranges QEMU reports it placed, to check the ELF against."""

    def __init__(self, address, how, listing, kernel_name, segments):
        super().__init__(address, how, listing)
        self.kernel_name = kernel_name
        self.segments = segments

    def address_for(self, image):
        """The image's link start, once its sections are found in what QEMU placed."""
        start = image_start(image)
        outside = [s for s in image.sections
                   if s.allocated and s.has_contents and s.size > 0
                   and not any(low <= s.address and s.address + s.size <= low + size
                               for low, size in self.segments)]
        if outside:
            name = printable(outside[0].name)
            placed = ", ".join("%#x-%#x" % (low, low + size) for low, size in self.segments)
            raise PlanError(
                "QEMU's multiboot loader placed %s at %s, but section %s of %s is "
                "linked at %#x, outside them; is this the right file?"
                % (self.kernel_name, placed, name, image.path, outside[0].address))
        return start


def find(target, native):
    """LinkAddress whose address is the lowest segment QEMU placed; the plan
    asks address_for(image) for where the image itself starts."""
    segments = [(rom, _SEGMENT.match(rom.name)) for rom in target.roms()]
    segments = [(rom, match) for rom, match in segments if match]
    if not segments:
        raise DetectionError("QEMU's ROM list (monitor info roms) shows no ELF program "
                             "header segments, so QEMU's multiboot loader did not place "
                             "the test")
    listing = ["%#x: %#x bytes of %s" % (rom.address, rom.size, rom.name)
               for rom, _ in segments]
    return LinkAddress(min(rom.address for rom, _ in segments), HOW, listing,
                       segments[0][1]["kernel"],
                       tuple((rom.address, rom.size) for rom, _ in segments))
