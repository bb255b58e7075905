"""Finds the test image's load address: the finder of the image's
architecture first, then QEMU's ROM list, then the image's own bytes in
guest memory."""

from kut_load import arches, elf
from kut_load.finders.load_address import DetectionError, LoadAddress
from kut_load.errors import TargetError
from kut_load.image.plan import image_start


class UnrunnableImage(DetectionError):
    """QEMU placed the image where it cannot run: no other address is right."""


def find_load_address(arch, target, native, image):
    """LoadAddress of image for arch (an arches.Arch); DetectionError when it
    cannot be told. Each finder is called as finder(target, native, image);
    what one that failed read comes first in the listing of the result (or
    of the error)."""
    try:
        return arch.finder(target, native, image)
    except DetectionError as error:
        finder_error = error
    try:
        found = from_rom_list(target, native, image)
    except NotInRomList:
        rom_error = finder_error
    except UnrunnableImage as error:
        raise UnrunnableImage(str(error), finder_error.listing) from None
    except DetectionError as error:
        rom_error = error
    else:
        if found.rom_named:
            found.how = "%s (%s)" % (found.how, finder_error)
        found.listing = finder_error.listing + found.listing
        return found
    from kut_load.finders import contents  # the last fallback only
    try:
        found = contents.find(target, native, image)
    except DetectionError as contents_error:
        raise DetectionError("%s; %s" % (rom_error, contents_error),
                             finder_error.listing) from None
    found.listing = finder_error.listing + found.listing
    return found


class NotInRomList(DetectionError):
    """QEMU's ROM list names no -kernel file."""


def from_rom_list(target, native, image):
    """Where QEMU's ROM list has the -kernel file (the LoadAddress's rom_named
    is True), or, for a raw ELF file there (ppc64 powernv: skiboot runs it in
    place), its code at its file offsets."""
    from kut_load.qemu import kernel_file  # the fallback only
    rom = kernel_file.kernel_rom(target.roms())
    if rom is None:
        raise NotInRomList("QEMU's ROM list names no -kernel file")
    name = kernel_file.file_name_of(rom)
    if rom.address == 0 and name != rom.name:
        # hw/core/loader.c: an ELF given with -kernel lands at its link address.
        raise UnrunnableImage(
            "QEMU loaded the ELF %s with -kernel at its link address 0x0, where the "
            "test cannot run; give QEMU the .flat image made from it with -kernel" % name)
    try:
        raw_elf = target.read_memory(rom.address, len(elf.MAGIC)) == elf.MAGIC
    except TargetError:
        raw_elf = False
    if not raw_elf:
        found = LoadAddress(rom.address, "from QEMU's ROM list, which has %s there" % name)
        found.rom_named = True
        return found
    start = image_start(image)
    for segment in image.segments:
        if (segment.type == elf.PT_LOAD and segment.file_size
                and segment.virtual_address <= start < segment.virtual_address + segment.file_size):
            file_offset = segment.offset + start - segment.virtual_address
            return LoadAddress(rom.address + file_offset,
                               "%s is the ELF file itself at %#x, run in place: the image is "
                               "at its file offset %#x" % (name, rom.address, file_offset))
    raise DetectionError("QEMU's ROM list has the ELF file %s at %#x, but no PT_LOAD segment "
                         "of %s holds its first section" % (name, rom.address, image.path))


def address_or_none(target, native):
    """The load address the target architecture's boot code tells, before
    any image is chosen, or None when it cannot tell (finders that compare
    the image, such as QEMU's ELF loader's, need one)."""
    arch = arches.of_gdb(target.architecture_name())
    if arch is None:
        return None
    try:
        return arch.finder(target, native, None).address
    except (DetectionError, TargetError):
        return None
