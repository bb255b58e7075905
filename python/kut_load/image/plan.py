"""The load plan: where each section of the test image lives in the guest,
and the exact add-symbol-file command that tells gdb so. Pure: no gdb here."""

from kut_load import elf
from kut_load.errors import KutLoadError
from kut_load.quoting import hex_address, quote_argument


class PlanError(KutLoadError):
    """The image cannot be placed at the address the target reports."""


# Plain classes: a namedtuple costs about 0.1 ms of every kut-load to define.
class PlacedSection:
    """An allocated section: its link address, where it is in the guest
    (address) and its size, in bytes, and what it holds."""
    __slots__ = ("name", "link_address", "address", "size", "writable", "executable",
                 "has_contents")

    def __init__(self, name, link_address, address, size, writable, executable, has_contents):
        self.name = name
        self.link_address = link_address
        self.address = address
        self.size = size
        self.writable = writable
        self.executable = executable
        self.has_contents = has_contents


class LoadPlan:
    """elf_path: absolute path of the file gdb reads symbols from;
    load_address: where the image's first byte is in the guest;
    offset: added to every link address; sections: PlacedSection tuple."""
    __slots__ = ("elf_path", "load_address", "offset", "sections")

    def __init__(self, elf_path, load_address, offset, sections):
        self.elf_path = elf_path
        self.load_address = load_address
        self.offset = offset
        self.sections = sections

    def add_symbol_file_command(self, command="add-symbol-file"):
        """One line, built from a quoted path and hex numbers only; command
        may be symbol-file, which takes the same FILE -o OFFSET."""
        return "%s %s -o %s" % (command, quote_argument(self.elf_path, "file name"),
                                hex_address(self.offset))


def image_start(image):
    """Lowest link address of the bytes a flat image holds (objcopy -O binary)."""
    starts = [s.address for s in image.sections
              if s.allocated and s.has_contents and s.size > 0]
    if not starts:
        raise PlanError("%s has no allocated sections with contents, so it is not a "
                        "test image; pass the test's .elf file" % image.path)
    return min(starts)


def check_no_overlap(image):
    """Refuses allocated sections whose file bytes would land on each other."""
    placed = sorted((s.address, s.address + s.size, s.name) for s in image.sections
                    if s.allocated and s.has_contents and s.size > 0)
    for (_, end, name), (start, _, next_name) in zip(placed, placed[1:]):
        if start < end:
            raise PlanError("%s is damaged: sections %r and %r overlap"
                            % (image.path, name, next_name))


def plan_load(image, elf_path, load_address, address_bits=64, address_given=False):
    """Places image so that its first byte is at load_address.

    A PIE (ET_DYN) may go anywhere; an ET_EXEC image runs only where it was
    linked, so any other address means the wrong file or a wrong detection,
    or a wrong address when the user gave it (address_given).
    """
    if image.type == elf.ET_REL:  # its sections all start at 0: a .o, not yet linked
        raise PlanError("%s is a relocatable object (ET_REL), not a linked test image; give "
                        "the test's .elf file" % image.path)
    start = image_start(image)
    check_no_overlap(image)
    offset = load_address - start
    if image.type == elf.ET_EXEC and offset != 0 and address_given:
        raise PlanError(
            "%s is linked to run at %#x, so it cannot start at %#x, the address given; "
            "leave --address out, or give %#x" % (image.path, start, load_address, start))
    if image.type == elf.ET_EXEC and offset != 0:
        raise PlanError(
            "%s is linked to run at %#x, but the image in the guest starts at %#x; "
            "is this the right file?" % (image.path, start, load_address))
    allocated = [s for s in image.sections if s.allocated]
    return place(allocated, elf_path, load_address, offset, address_bits)


def place(sections, elf_path, load_address, offset, address_bits):
    """LoadPlan with each of sections (the native ElfImage's) moved by offset,
    its address wrapped at address_bits as the guest's address space is."""
    mask = (1 << address_bits) - 1
    placed = tuple(
        PlacedSection(s.name, s.address, (s.address + offset) & mask, s.size,
                      s.writable, s.executable, s.has_contents)
        for s in sections)
    return LoadPlan(elf_path, load_address, offset, placed)
