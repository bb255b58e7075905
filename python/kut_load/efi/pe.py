"""PE/COFF headers of EFI images: the fields a firmware reads to place one.

Pure: parses bytes from an .efi file or from guest memory, both untrusted, so
every offset is checked against the bytes there are.
"""

import struct
from dataclasses import dataclass

PE32_PLUS_MAGIC = 0x20b
PE32_MAGIC = 0x10b
SECTION_HEADER_SIZE = 40
SCN_CNT_CODE = 0x00000020
SCN_MEM_EXECUTE = 0x20000000


class PeError(ValueError):
    """The bytes are not a PE image header this tool can read."""


@dataclass(frozen=True)
class PeSection:
    name: str
    rva: int              # offset from the image base once loaded
    virtual_size: int
    raw_offset: int       # where its bytes are in the file
    raw_size: int
    characteristics: int

    @property
    def executable(self):
        return bool(self.characteristics & (SCN_CNT_CODE | SCN_MEM_EXECUTE))

    def file_span(self):
        """(offset, length) of the bytes both the file and the loaded image hold."""
        return self.raw_offset, min(self.raw_size, self.virtual_size or self.raw_size)


@dataclass(frozen=True)
class PeHeader:
    machine: int
    image_base: int       # the address the image was linked for
    image_base_field: tuple  # (offset, size) of ImageBase: loaders rewrite it in memory
    entry_rva: int
    size_of_image: int
    size_of_headers: int
    sections: tuple


def _unpack(fmt, data, offset, what):
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise PeError("the PE header is cut short at its %s (offset %#x)" % (what, offset))
    return struct.unpack_from(fmt, data, offset)


def _section_name(raw):
    name = raw.split(b"\0", 1)[0].decode("ascii", "replace")
    return "".join(c if c.isprintable() else "?" for c in name)


def parse_pe_header(data):
    """The PeHeader in data, which starts with the image's first byte."""
    if data[:2] != b"MZ":
        raise PeError("no MZ signature, so not a PE image")
    (pe_offset,) = _unpack("<I", data, 0x3c, "DOS header")
    if _unpack("<4s", data, pe_offset, "PE signature")[0] != b"PE\0\0":
        raise PeError("no PE signature at %#x" % pe_offset)
    machine, section_count, _, _, _, optional_size, _ = _unpack(
        "<HHIIIHH", data, pe_offset + 4, "COFF header")
    optional = pe_offset + 24
    (magic,) = _unpack("<H", data, optional, "optional header")
    if magic == PE32_PLUS_MAGIC:
        (entry_rva,) = _unpack("<I", data, optional + 16, "entry point")
        base_field = (optional + 24, 8)
        (image_base,) = _unpack("<Q", data, base_field[0], "image base")
    elif magic == PE32_MAGIC:
        (entry_rva,) = _unpack("<I", data, optional + 16, "entry point")
        base_field = (optional + 28, 4)
        (image_base,) = _unpack("<I", data, base_field[0], "image base")
    else:
        raise PeError("unknown optional header magic %#x" % magic)
    size_of_image, size_of_headers = _unpack("<II", data, optional + 56, "image sizes")
    table = optional + optional_size
    sections = []
    for index in range(section_count):
        at = table + index * SECTION_HEADER_SIZE
        raw_name, virtual_size, rva, raw_size, raw_offset = _unpack(
            "<8sIIII", data, at, "section table")
        (characteristics,) = _unpack("<I", data, at + 36, "section table")
        sections.append(PeSection(_section_name(raw_name), rva, virtual_size,
                                  raw_offset, raw_size, characteristics))
    if not sections:
        raise PeError("the PE header lists no sections")
    if size_of_headers > size_of_image:
        raise PeError("SizeOfHeaders %#x exceeds SizeOfImage %#x"
                      % (size_of_headers, size_of_image))
    return PeHeader(machine, image_base, base_field, entry_rva, size_of_image,
                    size_of_headers, tuple(sections))
