"""Comparing the ELF's code with target memory before loading symbols."""

from types import SimpleNamespace

from elftools.elf.elffile import ELFFile
import pytest

from conftest import guest_file
from kut_load.errors import TargetError, whole_read
from kut_load.image import verify
from kut_load.image.plan import plan_load
from kut_load.image.verify import (BEFORE_MAIN, WINDOW_BYTES, MismatchError, check, code_windows,
                                   first_difference, rewritten_bytes, start_of_code)


class FakeImage:
    """Sections with bytes, symbols and relocations, as the native image has them."""

    def __init__(self, sections, symbols=(), relocated=(), bits=64, elf_type=3):
        self.sections = []
        self.contents = {}
        for index, (name, address, data, flags) in enumerate(sections):
            self.sections.append(SimpleNamespace(
                index=index, name=name, address=address, size=len(data),
                allocated="a" in flags, executable="x" in flags, writable="w" in flags,
                has_contents=True))
            self.contents[index] = data
        self.symbols = dict(symbols)
        self.relocated_addresses = sorted(relocated)
        self.bits = bits
        self.type = elf_type
        self.path = "/tests/fake.elf"

    def find_symbol(self, name):
        if name not in self.symbols:
            return None
        return SimpleNamespace(name=name, address=self.symbols[name], size=4)

    def relocated_between(self, start, end):
        return [a for a in self.relocated_addresses if start <= a < end]

    def section_bytes(self, index, offset=0, length=None):
        data = self.contents[index][offset:]
        return data if length is None else data[:length]


def code(length, seed):
    return bytes((seed + i * 7) & 0xff for i in range(length))


TWO_CODE_SECTIONS = FakeImage([
    (".rodata", 0x0, code(0x40, 1), "a"),
    (".init", 0x100, code(0x80, 2), "ax"),
    (".text", 0x200, code(0x1000, 3), "ax"),
    (".debug_line", 0x0, code(0x100, 4), ""),
], symbols={"main": 0x800})


def memory_of(image, load_address):
    """A guest memory read that returns what the image put at load_address."""
    memory = {}
    start = min(s.address for s in image.sections if s.allocated)
    for section in image.sections:
        if section.allocated:
            for i, byte in enumerate(image.section_bytes(section.index)):
                memory[section.address - start + load_address + i] = byte
    return memory


def reader(memory):
    return lambda address, length: bytes(memory.get(address + i, 0) for i in range(length))


def test_one_window_holds_main_and_the_code_around_it():
    [window] = code_windows(TWO_CODE_SECTIONS)
    assert (window.section.name, window.offset, window.length) == (
        ".text", 0x600 - BEFORE_MAIN, WINDOW_BYTES)
    assert window.link_address() <= 0x800 < window.link_address() + window.length


def test_window_at_main_stays_inside_its_section():
    image = FakeImage([(".text", 0x1000, code(0x300, 1), "ax")], symbols={"main": 0x1280})
    [window] = code_windows(image)
    assert (window.offset, window.length) == (0, 0x300)
    big = FakeImage([(".text", 0x1000, code(0x2000, 1), "ax")], symbols={"main": 0x2f80})
    [window] = code_windows(big)
    assert (window.offset, window.length) == (0x2000 - WINDOW_BYTES, WINDOW_BYTES)
    assert window.link_address() <= 0x2f80 < window.link_address() + window.length


def test_without_main_the_start_and_the_end_of_the_code_are_compared():
    image = FakeImage([(".init", 0x0, code(0x20, 1), "ax"),
                       (".text", 0x100, code(0x900, 2), "ax")])
    first, last = code_windows(image)
    assert (first.section.name, first.length) == (".init", 0x20)
    assert (last.section.name, last.offset, last.length) == (".text", 0x900 - WINDOW_BYTES,
                                                             WINDOW_BYTES)


def test_main_outside_the_code_counts_as_no_main():
    image = FakeImage([(".text", 0x100, code(0x40, 2), "ax")], symbols={"main": 0x2000})
    _, last = code_windows(image)
    assert (last.offset, last.length) == (0, 0x40)


def test_no_code_no_windows():
    image = FakeImage([(".data", 0x0, code(0x40, 1), "aw"), (".debug", 0, code(8, 1), "x")])
    assert code_windows(image) == []


def test_matching_memory_passes():
    plan = plan_load(TWO_CODE_SECTIONS, "/tests/fake.elf", 0x40080000)
    check(TWO_CODE_SECTIONS, plan, reader(memory_of(TWO_CODE_SECTIONS, 0x40080000)))


def test_mismatch_names_file_address_and_section():
    plan = plan_load(TWO_CODE_SECTIONS, "/tests/fake.elf", 0x40080000)
    memory = memory_of(TWO_CODE_SECTIONS, 0x40080000)
    memory[0x40080000 + 0x810] ^= 0xff
    with pytest.raises(MismatchError) as mismatch:
        check(TWO_CODE_SECTIONS, plan, reader(memory))
    message = str(mismatch.value)
    assert "/tests/fake.elf" in message
    assert "0x40080810" in message and ".text+0x610" in message


def test_image_elsewhere_mismatches():
    plan = plan_load(TWO_CODE_SECTIONS, "/tests/fake.elf", 0x40080000)
    with pytest.raises(MismatchError):
        check(TWO_CODE_SECTIONS, plan, reader(memory_of(TWO_CODE_SECTIONS, 0x40090000)))


def sibling_tests():
    """Two tests as kvm-unit-tests builds them: the same start-up code and
    library, a different main at the same link address."""
    startup, library = code(0x400, 7), code(0x800, 9)
    one = FakeImage([(".text", 0x0, startup + code(0x200, 1) + library, "ax")],
                    symbols={"main": 0x400})
    other = FakeImage([(".text", 0x0, startup + code(0x200, 2) + library, "ax")],
                      symbols={"main": 0x400})
    return one, other


def test_sibling_test_with_another_main_is_refused():
    one, other = sibling_tests()
    plan = plan_load(other, "/tests/other.elf", 0x40080000)
    with pytest.raises(MismatchError, match="0x40080400"):
        check(other, plan, reader(memory_of(one, 0x40080000)))


def test_build_whose_main_moved_is_refused():
    # Start-up code grew by one instruction: everything from main on moved.
    one, _ = sibling_tests()
    grown = FakeImage([(".text", 0x0, code(0x404, 7) + one.section_bytes(0)[0x400:], "ax")],
                      symbols={"main": 0x404})
    plan = plan_load(one, "/tests/one.elf", 0x40080000)
    with pytest.raises(MismatchError):
        check(one, plan, reader(memory_of(grown, 0x40080000)))


@pytest.mark.parametrize("shift", [-0x1000, -4, 4, 0x80000])
def test_wrong_offset_is_refused(shift):
    one, _ = sibling_tests()
    plan = plan_load(one, "/tests/one.elf", 0x40080000 + shift)
    with pytest.raises(MismatchError):
        check(one, plan, reader(memory_of(one, 0x40080000)))


def test_start_of_code_is_the_lowest_executable_section():
    assert start_of_code(TWO_CODE_SECTIONS).name == ".init"
    assert start_of_code(FakeImage([(".data", 0x0, code(4, 1), "aw")])) is None


def test_relocated_bytes_are_skipped():
    # A pointer inside the code that the image rewrites when it relocates itself.
    image = FakeImage([(".text", 0x0, code(0x100, 5), "ax")], symbols={"main": 0x40},
                      relocated=[0x48], bits=64)
    assert rewritten_bytes(image, code_windows(image)) == set(range(0x48, 0x50))
    plan = plan_load(image, "/tests/fake.elf", 0x40080000)
    memory = memory_of(image, 0x40080000)
    for i in range(8):
        memory[0x40080048 + i] = 0x5a
    check(image, plan, reader(memory))
    memory[0x40080050] ^= 1
    with pytest.raises(MismatchError, match="0x40080050"):
        check(image, plan, reader(memory))


def test_relocated_words_are_four_bytes_on_32_bit():
    image = FakeImage([(".text", 0x0, code(0x200, 5), "ax")], relocated=[0x4, 0x100], bits=32)
    assert rewritten_bytes(image, code_windows(image)) == {4, 5, 6, 7, 0x100, 0x101, 0x102, 0x103}


def test_only_relocations_reaching_into_a_window_are_kept():
    image = FakeImage([(".text", 0x0, code(0x2000, 5), "ax")], symbols={"main": 0x1000},
                      relocated=[0x10, 0xefa, 0xf00 - 8, 0x12fc, 0x1300, 0x1f00], bits=64)
    [window] = code_windows(image)
    assert (window.link_address(), window.length) == (0xf00, 0x400)
    # A word that starts before the window still rewrites bytes inside it.
    assert rewritten_bytes(image, [window]) == set(range(0xefa, 0xf02)) | set(range(0x12fc, 0x1304))


def test_the_check_asks_only_for_the_relocations_in_its_window():
    # A test has thousands of relocations: listing them all cost ~0.5 ms of every load.
    class OnlyRanges(FakeImage):
        @property
        def relocated_addresses(self):
            raise AssertionError("listed every relocation")

        @relocated_addresses.setter
        def relocated_addresses(self, value):
            self._relocated = sorted(value)

        def relocated_between(self, start, end):
            return [a for a in self._relocated if start <= a < end]

    image = OnlyRanges([(".text", 0x0, code(0x2000, 5), "ax")], symbols={"main": 0x1000},
                       relocated=range(0, 0x2000, 8), bits=64)
    plan = plan_load(image, "/tests/fake.elf", 0x40080000)
    check(image, plan, reader(memory_of(image, 0x40080000)))


def test_first_difference():
    assert first_difference(b"abcd", b"abcd", 0x100, set()) is None
    assert first_difference(b"abcd", b"abXd", 0x100, set()) == 2
    assert first_difference(b"abcd", b"abXY", 0x100, {0x102}) == 3
    assert first_difference(b"abcd", b"XbcY", 0x100, {0x100, 0x103}) is None
    assert first_difference(b"", b"", 0, set()) is None


def test_short_read_is_refused_where_memory_is_read():
    # zip stops at the shorter, so a short read must never get this far.
    with pytest.raises(TargetError, match="gave 2 of the 4 bytes"):
        whole_read(b"ab", 0x1000, 4)
    assert whole_read(b"abcd", 0x1000, 4) == b"abcd"


@pytest.mark.parametrize("arch, load_address", [
    ("arm64", 0x40080000), ("riscv64", 0x80200000), ("arm", 0x40010000)])
def test_sample_matches_its_flat_image(native, arch, load_address):
    """The .flat is exactly what QEMU puts in memory: it must pass; one
    changed byte at main must not."""
    image = native.ElfImage(guest_file(arch, "sample.elf"))
    with open(guest_file(arch, "sample.flat"), "rb") as flat_file:
        flat = bytearray(flat_file.read())
    plan = plan_load(image, image.path, load_address, image.bits)
    [window] = code_windows(image)
    main = image.find_symbol("main").address
    assert window.section.name == ".text"
    assert window.link_address() <= main < window.link_address() + window.length

    def read(address, length):
        return bytes(flat[address - load_address:address - load_address + length])

    check(image, plan, read)
    flat[main + plan.offset - load_address] ^= 0xff
    with pytest.raises(MismatchError, match="%#x" % (main + plan.offset)):
        check(image, plan, read)


def test_elfv1_main_is_compared_at_its_code_not_its_descriptor(native):
    path = guest_file("ppc64", "sample.elf")
    image = native.ElfImage(path)
    with open(path, "rb") as stream:
        elf = ELFFile(stream)
        opd = elf.get_section_by_name(".opd")
        main = elf.get_section_by_name(".symtab").get_symbol_by_name("main")[0]
        entry = int.from_bytes(opd.data()[main["st_value"] - opd["sh_addr"]:][:8], "big")
    code_main = verify.code_address(image, image.find_symbol("main"))
    assert code_main == entry != main["st_value"]
    assert any(w.link_address() <= code_main < w.link_address() + w.length
               for w in verify.code_windows(image))
