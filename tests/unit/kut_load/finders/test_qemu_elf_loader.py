"""QEMU's generic ELF loader finder, on ROM lists QEMU 7.2 printed for the
sample guests (`monitor info roms`), against the sample ELFs' own program
headers read by pyelftools."""

from elftools.elf.elffile import ELFFile

import pytest

from conftest import guest_file
from fake_target import FakeTarget
from kut_load.finders import qemu_elf_loader
from kut_load.finders.load_address import DetectionError

S390X = """\
addr=0000000000010000 size=0x001048 mem=ram name="s390x/sample.elf ELF program header segment 0"
addr=0000000007e00000 size=0x00dfd8 mem=ram name="/usr/bin/../share/qemu/s390-ccw.img ELF program header segment 2"
addr=0000000007e0eed0 size=0x035130 mem=ram name="/usr/bin/../share/qemu/s390-ccw.img ELF program header segment 3"
"""


def roms_of(info_roms):
    """A target whose QEMU answers `info roms` with info_roms."""
    return FakeTarget(monitor={"info roms": info_roms})


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
    found = qemu_elf_loader.find(roms_of(rom_list(arch, base) + S390X.split("\n", 1)[1]), native, image)
    start = min(s.address for s in image.sections if s.allocated and s.size)
    assert found.address == start + base


def test_firmware_segments_are_left_out(native):
    image = native.ElfImage(guest_file("s390x", "sample.elf"))
    only_bios = "".join(S390X.splitlines(True)[1:])
    with pytest.raises(DetectionError, match="shows no ELF program header segments"):
        qemu_elf_loader.find(roms_of(only_bios), native, image)


def test_segments_that_disagree_are_refused(native):
    image = native.ElfImage(guest_file("s390x", "sample.elf"))
    wrong_size = S390X.replace("size=0x001048", "size=0x002000", 1)
    with pytest.raises(DetectionError, match="has the program headers of"):
        qemu_elf_loader.find(roms_of(wrong_size), native, image)
