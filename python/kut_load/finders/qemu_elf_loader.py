"""QEMU's generic ELF loader (include/hw/elf_ops.h): x86 multiboot, ppc64
pseries and s390x hand QEMU the test's ELF, and QEMU copies each PT_LOAD
segment to its p_paddr plus a board's offset (pseries: 0x400000; x86 and
s390x: none). `monitor info roms` lists each copy as "FILE ELF program
header segment N", N being the program header's index, so no boot code
needs decoding: the image is where the segments say, once the ELF says
which segment is which. Firmware loaded the same way (s390x's BIOS,
s390-ccw.img) is listed too, and left out by file name."""

from collections import defaultdict

from kut_load import elf
from kut_load.finders.load_address import DetectionError, LoadAddress
from kut_load.qemu.roms import segment_of
from kut_load.image.plan import image_start


def segment_roms(roms, firmware):
    """{file name: [(program header index, Rom)]} of QEMU's segment ROMs,
    without the files whose base name starts with a firmware prefix."""
    files = defaultdict(list)
    for rom in roms:
        segment = segment_of(rom.name)
        if segment and not _base_name(segment[0]).startswith(firmware):
            files[segment[0]].append((segment[1], rom))
    return files


def _base_name(path):
    return path.rsplit("/", 1)[-1].lower()


def placement_offset(image, segments):
    """ROM address − p_paddr, when every listed segment is one of the image's
    PT_LOAD segments, of its size, at the same offset; else None."""
    offsets = set()
    headers = image.segments
    for index, rom in segments:
        if index >= len(headers):
            return None
        header = headers[index]
        if header.type != elf.PT_LOAD or rom.size not in (header.memory_size, header.file_size):
            return None
        offsets.add(rom.address - header.physical_address)
    return offsets.pop() if len(offsets) == 1 else None


def finder():
    """find, as the architecture table asks every mechanism for its finder."""
    return find


def find(target, native, image):
    """LoadAddress of image placed by QEMU's ELF loader; DetectionError when
    no file QEMU placed this way has the image's segments, or no image."""
    from kut_load import arches
    if image is None:
        raise DetectionError("QEMU's ELF loader leaves no boot code: only the image's own "
                             "program headers tell where it is")
    files = segment_roms(target.roms(), arches.firmware_names())
    if not files:
        raise DetectionError("QEMU's ROM list (monitor info roms) shows no ELF program "
                             "header segments, so QEMU's ELF loader did not place the test")
    listing = ["%#x: %#x bytes of %s" % (rom.address, rom.size, rom.name)
               for segments in files.values() for _, rom in segments]
    for name, segments in files.items():
        offset = placement_offset(image, segments)
        if offset is not None:
            mask = (1 << image.bits) - 1
            return LoadAddress((image_start(image) + offset) & mask,
                               "placed by QEMU's ELF loader as %s's program header "
                               "segments (offset %#x from their physical addresses)"
                               % (name, offset), listing)
    raise DetectionError("none of the files QEMU's ELF loader placed (%s) has the program "
                         "headers of %s; is this the right file?"
                         % (", ".join(sorted(files)), image.path), listing)
