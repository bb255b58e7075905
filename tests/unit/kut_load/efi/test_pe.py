"""PE headers of EFI images, read from the sample's .efi and from damaged copies."""

import struct

import pytest

from conftest import guest_file
from kut_load import arches
from kut_load.efi.pe import PeError, parse_pe_header


def sample_efi():
    with open(guest_file("efi-arm64", "sample.efi"), "rb") as image:
        return image.read()


def test_sample_header_fields():
    header = parse_pe_header(sample_efi())
    assert arches.pe_name(header.machine) == "aarch64"
    assert header.image_base == 0
    assert header.size_of_headers == 0x1000
    assert header.size_of_image == len(sample_efi())  # objcopy -O binary of the whole image
    assert header.entry_rva == 0x1000
    assert [(s.name, s.rva, s.raw_offset, s.executable) for s in header.sections] == [
        (".text", 0x1000, 0x1000, True),
        (".data", 0x1000 + header.sections[0].virtual_size,
         0x1000 + header.sections[0].virtual_size, False),
    ]


def test_image_base_field_is_where_the_loader_writes_the_address():
    data = bytearray(sample_efi())
    offset, size = parse_pe_header(bytes(data)).image_base_field
    assert size == 8
    data[offset:offset + size] = struct.pack("<Q", 0x4073d000)
    assert parse_pe_header(bytes(data)).image_base == 0x4073d000


def test_pe32_image_base_is_four_bytes():
    data = bytearray(sample_efi()[:0x1000])
    optional = struct.unpack_from("<I", data, 0x3c)[0] + 24
    struct.pack_into("<H", data, optional, 0x10b)
    struct.pack_into("<I", data, optional + 28, 0x400000)
    header = parse_pe_header(bytes(data))
    assert header.image_base == 0x400000 and header.image_base_field == (optional + 28, 4)


@pytest.mark.parametrize("length", [0, 1, 0x3c, 0x40, 0x44, 0x58, 0x80, 0x150])
def test_cut_short_is_an_error_not_a_crash(length):
    with pytest.raises(PeError):
        parse_pe_header(sample_efi()[:length])


def test_not_a_pe():
    with pytest.raises(PeError, match="MZ"):
        parse_pe_header(b"\x7fELF" + bytes(0x200))
    data = bytearray(sample_efi())
    data[0x40:0x44] = b"XX\0\0"
    with pytest.raises(PeError, match="no PE signature"):
        parse_pe_header(bytes(data))


def test_pe_offset_far_outside_the_data():
    data = bytearray(sample_efi()[:0x200])
    struct.pack_into("<I", data, 0x3c, 0xfffffff0)
    with pytest.raises(PeError, match="cut short"):
        parse_pe_header(bytes(data))


def test_section_names_are_printable():
    data = bytearray(sample_efi())
    table = parse_pe_header(bytes(data)).sections[0]
    at = data.index(b".text\0\0\0")
    data[at:at + 8] = b"a\nb\x7fc\0\0\0"
    assert parse_pe_header(bytes(data)).sections[0].name == "a?b?c"
    assert table.name == ".text"
