"""The two files of a kvm-unit-tests EFI test: X.efi, the PE image the
firmware loads, and X.efi.debug, the ELF holding its DWARF (made with
objcopy --only-keep-debug). Given either, finds the other beside it."""

import os
from dataclasses import dataclass, field

from kut_load import elf, file_names
from kut_load.errors import KutLoadError
from kut_load.efi.pe import PeError, PeHeader, parse_pe_header

DEBUG_SUFFIX = file_names.EFI_DEBUG[len(file_names.EFI):]
# Far above any test image; a larger file is not one.
MAX_IMAGE_BYTES = 256 << 20


class EfiFileError(KutLoadError):
    """The EFI image or its debug file is missing or unreadable."""


@dataclass(frozen=True)
class EfiImage:
    pe_path: str          # X.efi
    debug_path: str       # X.efi.debug
    header: PeHeader
    contents: bytes = field(repr=False)  # X.efi as the firmware read it

    def bytes_at(self, offset, length):
        return self.contents[offset:offset + length]


def _magic(path):
    with open(path, "rb") as data:
        return data.read(4)


def locate(path):
    """EfiImage for an X.efi or X.efi.debug path, or None for any other file."""
    magic = _magic(path)
    if magic[:2] == b"MZ":
        pe_path, debug_path = path, path + DEBUG_SUFFIX
        if not os.path.isfile(debug_path):
            raise EfiFileError("%s has no DWARF beside it: expected %s, made with "
                               "objcopy --only-keep-debug" % (pe_path, debug_path))
    elif magic == elf.MAGIC and path.endswith(file_names.EFI_DEBUG):
        pe_path, debug_path = path[:-len(DEBUG_SUFFIX)], path
        if not os.path.isfile(pe_path):
            raise EfiFileError("%s needs the image it describes beside it, %s, to find "
                               "that image in the guest" % (debug_path, pe_path))
    else:
        return None
    contents = _read_image(pe_path)
    try:
        header = parse_pe_header(contents)
    except PeError as error:
        raise EfiFileError("%s: %s" % (pe_path, error)) from None
    return EfiImage(pe_path, debug_path, header, contents)


def _read_image(path):
    if os.path.getsize(path) > MAX_IMAGE_BYTES:
        raise EfiFileError("%s is larger than any EFI test image" % path)
    with open(path, "rb") as image:
        return image.read()
