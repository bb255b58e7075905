"""Pairing X.efi.debug with X.efi on the layouts upstream kvm-unit-tests
builds: X.efi is objcopy -j of a few of X.so's sections, so X.efi.debug has
sections the PE does not carry. The numbers are those of upstream arm/timer
(arm64, objcopy -O binary behind a hand-written header) and x86/sieve
(x86_64, objcopy --target efi-app-x86_64)."""

import struct

import pytest

from kut_load.efi.files import EfiImage
from kut_load.efi.pair import check_pair
from kut_load.efi.pe import PeHeader, PeSection
from kut_load.efi.plan import plan_efi_load
from kut_load.image.plan import PlanError

EM_AARCH64, EM_X86_64 = 183, 62
CODE, DATA, RDATA = 0x60000020, 0xc0000040, 0x40000040
BASE = 0x7e5e1000


class Section:
    def __init__(self, name, address, size, flags="A"):
        self.name, self.address, self.size = name, address, size
        self.allocated, self.has_contents = True, False  # --only-keep-debug: NOBITS
        self.executable, self.writable = "X" in flags, "W" in flags
        self.index = 0


class Symbol:
    def __init__(self, address, size):
        self.address, self.size = address, size


class Image:
    """The parts of the native ElfImage that pairing reads."""

    def __init__(self, machine, entry, sections, main):
        self.path, self.machine, self.bits, self.entry = "x.efi.debug", machine, 64, entry
        self.sections, self.main = sections, main

    def find_symbol(self, name):
        return self.main if name == "main" else None


def dynamic_entries(pairs):
    return b"".join(struct.pack("<QQ", tag, value) for tag, value in pairs + [(0, 0)])


def dynsym(symbols):
    return bytes(24) + b"".join(struct.pack("<IBBHQQ", 1, 0x12, 0, 1, value, size)
                                for value, size in symbols)


def put(contents, offset, data):
    contents[offset:offset + len(data)] = data


def arm64_timer(strsz=0x1249, main=(0xf2c0, 0x1d4), dynsym_main=(0xf2c0, 0x1d4)):
    """arm/timer.efi and its .debug: sections end at 0x46618, the PE at 0x41600."""
    sections = [Section(".text", 0, 0x14780, "AX"), Section(".dynamic", 0x15000, 0x110, "WA"),
                Section(".data", 0x20000, 0x20950, "WA"), Section(".dynsym", 0x42000, 0x1f80),
                Section(".rela.got", 0x40950, 0x390), Section(".rela.data", 0x40ce0, 0x858),
                Section(".dynstr", 0x44000, 0x1249), Section(".hash", 0x45250, 0x964),
                Section(".gnu.hash", 0x45bb8, 0xa60)]
    header = PeHeader(0xaa64, 0, (0x88, 8), 0x1000, 0x41600, 0x1000, (
        PeSection(".text", 0x1000, 0x1f000, 0x1000, 0x1f000, CODE),
        PeSection(".data", 0x20000, 0x21600, 0x20000, 0x21600, DATA)))
    contents = bytearray(0x43f80)  # objcopy -O binary: up to the end of .dynsym
    put(contents, 0, b"MZ")
    put(contents, 0x15000, dynamic_entries([
        (4, 0x45250), (0x6ffffef5, 0x45bb8), (5, 0x44000), (6, 0x42000), (10, strsz),
        (11, 0x18), (7, 0x40950), (8, 0x390 + 0x858), (9, 0x18)]))
    put(contents, 0x42000, dynsym([(0x1000, 0), dynsym_main]))
    image = Image(EM_AARCH64, 0, sections, Symbol(*main))
    return image, EfiImage("t.efi", "t.efi.debug", header, bytes(contents))


def x86_sieve(text_size=0x7870):
    """x86/sieve.efi and its .debug: .hash at 0 under the PE header, .eh_frame
    between it and .text, .dynstr at SizeOfImage."""
    sections = [Section(".hash", 0, 0x698), Section(".gnu.hash", 0x698, 0x798),
                Section(".eh_frame", 0x1000, 0x1c2c), Section(".text", 0x3000, text_size, "AX"),
                Section(".reloc", 0xb000, 0xc), Section(".data", 0xc000, 0x52a3a0, "WA"),
                Section(".dynamic", 0x537000, 0x110, "WA"), Section(".dynsym", 0x539000, 0x14e8),
                Section(".rela", 0x538000, 0x5e8), Section(".dynstr", 0x53b000, 0xa4a)]
    header = PeHeader(0x8664, 0, (0xb0, 8), 0x3154, 0x53b000, 0x400, (
        PeSection(".text", 0x3000, 0x7870, 0x400, 0x7a00, CODE),
        PeSection(".reloc", 0xb000, 0xc, 0x7e00, 0x200, RDATA),
        PeSection(".data", 0xc000, 0x52a3a0, 0x8000, 0x52a400, DATA),
        PeSection(".dynamic", 0x537000, 0x110, 0x532400, 0x200, DATA),
        PeSection(".rela", 0x538000, 0x5e8, 0x532600, 0x600, RDATA),
        PeSection(".dynsym", 0x539000, 0x14e8, 0x532c00, 0x1600, RDATA)))
    contents = bytearray(0x534200)
    put(contents, 0, b"MZ")
    put(contents, 0x532400, dynamic_entries([
        (4, 0), (0x6ffffef5, 0x698), (5, 0x53b000), (6, 0x539000), (10, 0xa4a),
        (7, 0x538000), (8, 0x5e8)]))
    put(contents, 0x532c00, dynsym([(0x30a7, 170)]))
    image = Image(EM_X86_64, 0x3154, sections, Symbol(0x30a7, 170))
    return image, EfiImage("s.efi", "s.efi.debug", header, bytes(contents))


@pytest.mark.parametrize("layout", [arm64_timer, x86_sieve])
def test_sections_the_pe_lacks_pair_and_are_not_placed(layout):
    image, efi = layout()
    check_pair(image, efi)
    placed = {s.name: s for s in plan_efi_load(image, efi, BASE).sections}
    for lacking in (".hash", ".gnu.hash", ".dynstr"):
        assert lacking not in placed
    assert placed[".text"].address == BASE + placed[".text"].link_address
    assert ".dynamic" in placed and ".data" in placed


def test_arm64_dynsym_past_the_image_is_not_placed():
    image, efi = arm64_timer()
    placed = {s.name for s in plan_efi_load(image, efi, BASE).sections}
    assert placed == {".text", ".dynamic", ".data", ".rela.got", ".rela.data"}


def test_x86_eh_frame_between_header_and_text_is_not_placed():
    image, efi = x86_sieve()
    placed = {s.name for s in plan_efi_load(image, efi, BASE).sections}
    assert placed == {".text", ".reloc", ".data", ".dynamic", ".rela", ".dynsym"}


def test_entry_point_zero_pairs_and_another_is_refused():
    image, efi = arm64_timer()
    assert image.entry == 0 and efi.header.entry_rva == 0x1000
    check_pair(image, efi)
    image.entry = 0x1040
    with pytest.raises(PlanError, match="its entry point is 0x1040, the PE header's is 0x1000"):
        check_pair(image, efi)


def test_a_section_crossing_a_pe_section_is_refused():
    image, efi = x86_sieve(text_size=0x8100)
    with pytest.raises(PlanError, match=r"s\.efi\.debug does not belong to s\.efi: its section "
                                        r"\.text \(0x3000-0xb100\) crosses the PE section \.text"):
        check_pair(image, efi)


def test_another_test_with_the_same_layout_is_refused_by_main():
    # arm/cache and arm/fpu: the same sections and .dynamic, other code.
    image, efi = arm64_timer(main=(0xef70, 0x78))
    with pytest.raises(PlanError, match=r"its main \(0xef70, 0x78 bytes\) is not among the "
                                        r"PE's dynamic symbols; rebuild both$"):
        check_pair(image, efi)


def test_another_string_table_is_refused():
    image, efi = arm64_timer(strsz=0x1250)
    with pytest.raises(PlanError, match="DT_STRSZ 0x1250, but its string table .dynstr is "
                                        "0x1249 bytes"):
        check_pair(image, efi)


def test_no_dynamic_section_where_the_debug_file_has_one_is_refused():
    image, efi = arm64_timer()
    efi = EfiImage(efi.pe_path, efi.debug_path, efi.header,
                   efi.contents[:0x15000] + bytes(0x110) + efi.contents[0x15110:])
    with pytest.raises(PlanError, match="the PE holds no dynamic section at 0x15000"):
        check_pair(image, efi)


def test_a_damaged_dynamic_section_is_a_refusal_not_a_crash():
    image, efi = arm64_timer()
    for cut in (0x15000, 0x15008, 0x15017, 0x15090):
        damaged = EfiImage(efi.pe_path, efi.debug_path, efi.header, efi.contents[:cut])
        with pytest.raises(PlanError, match="does not belong to"):
            check_pair(image, damaged)
