"""QEMU's generic ELF loader finder, on ROM lists QEMU 7.2 printed for the
sample guests (`monitor info roms`), against the sample ELFs' own program
headers read by pyelftools."""

from elftools.elf.elffile import ELFFile

import pytest

from conftest import guest_file
from kut_load.finders import qemu_elf_loader
from kut_load.image import verify
from kut_load.finders.load_address import DetectionError
from kut_load.qemu.roms import parse_info_roms

S390X = """\
addr=0000000000010000 size=0x001048 mem=ram name="s390x/sample.elf ELF program header segment 0"
addr=0000000007e00000 size=0x00dfd8 mem=ram name="/usr/bin/../share/qemu/s390-ccw.img ELF program header segment 2"
addr=0000000007e0eed0 size=0x035130 mem=ram name="/usr/bin/../share/qemu/s390-ccw.img ELF program header segment 3"
"""


class Target:
    def __init__(self, text):
        self._roms = parse_info_roms(text)

    def roms(self):
        return self._roms


def load_segments(path):
    with open(path, "rb") as stream:
        return [(index, segment.header) for index, segment in
                enumerate(ELFFile(stream).iter_segments()) if segment["p_type"] == "PT_LOAD"]


def rom_list(arch, base):
    """The ROM lines QEMU's ELF loader writes for the guest, from pyelftools."""
    return "".join('addr=%016x size=%#08x mem=ram name="%s/sample.elf ELF program header '
                   'segment %d"\n' % (base + header.p_paddr, header.p_memsz, arch, index)
                   for index, header in load_segments(guest_file(arch, "sample.elf")))


@pytest.mark.parametrize("arch, base", [("ppc64le", 0x400000), ("ppc64", 0x400000),
                                        ("s390x", 0), ("i386", 0)])
def test_image_is_where_its_segments_are(native, arch, base):
    image = native.ElfImage(guest_file(arch, "sample.elf"))
    found = qemu_elf_loader.find(Target(rom_list(arch, base) + S390X.split("\n", 1)[1]), native, image)
    start = min(s.address for s in image.sections if s.allocated and s.size)
    assert found.address == start + base


def test_firmware_segments_are_left_out(native):
    image = native.ElfImage(guest_file("s390x", "sample.elf"))
    only_bios = "".join(S390X.splitlines(True)[1:])
    with pytest.raises(DetectionError, match="shows no ELF program header segments"):
        qemu_elf_loader.find(Target(only_bios), native, image)


def test_segments_that_disagree_are_refused(native):
    image = native.ElfImage(guest_file("s390x", "sample.elf"))
    wrong_size = S390X.replace("size=0x001048", "size=0x002000", 1)
    with pytest.raises(DetectionError, match="has the program headers of"):
        qemu_elf_loader.find(Target(wrong_size), native, image)


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
