"""Finding a loaded EFI image in guest memory, on a made-up guest that holds
the sample's .efi where a firmware would have put it."""

import struct
import uuid

import pytest

from conftest import guest_file
from fake_target import FakeTarget
from kut_load.efi import find as boot_efi, files as efi_files, tables
from kut_load.finders.load_address import DetectionError
from kut_load.image.verify import MismatchError

RAM = (0x40000000, 0x48000000)
MTREE = """FlatView #0
 AS "memory", root: system
  0000000000000000-0000000003ffffff (prio 0, romd): virt.flash0
  0000000040000000-0000000047ffffff (prio 0, ram): mach-virt.ram
"""
IMAGE_BASE = 0x4073d000
POINTER_AT = 0x43400000
SYSTAB_AT = 0x43fd0018


def made_up_guest(mtree=MTREE, pcs=(0,)):
    """Guest RAM nobody wrote reads as zeros, reads outside it fail as gdb's do."""
    return FakeTarget(ram=[RAM], monitor={"info mtree -f": mtree}, pcs=pcs)


@pytest.fixture(scope="module")
def efi():
    return efi_files.locate(guest_file("efi-arm64", "sample.efi"))


def loaded(efi, base):
    """The image as the firmware leaves it: ImageBase rewritten, .data relocated."""
    data = bytearray(efi.contents)
    offset, size = efi.header.image_base_field
    data[offset:offset + size] = struct.pack("<Q", base)
    data[-8:] = b"relocatd"
    return bytes(data)


def firmware_tables(guest, images, holes=1):
    """System table pointer -> system table -> debug image table -> images."""
    guest.write(POINTER_AT, b"IBI SYST" + struct.pack("<QI4x", SYSTAB_AT, 0))
    config = 0x43fdfb18
    systab = bytearray(120)
    systab[:8] = b"IBI SYST"
    struct.pack_into("<II", systab, 8, 0x20046, 120)
    struct.pack_into("<QQ", systab, 104, 2, config)
    guest.write(SYSTAB_AT, systab)
    header = 0x47756690
    guest.write(config, uuid.uuid4().bytes_le + struct.pack("<Q", 0x1234)
                + tables.DEBUG_IMAGE_INFO_TABLE_GUID.bytes_le + struct.pack("<Q", header))
    array = 0x4361f018
    guest.write(header, struct.pack("<IIQ", 2, len(images), array))
    slots = []
    for index, (base, size) in enumerate(images):
        normal = 0x42d00000 + index * 0x100
        protocol = normal + 0x40
        guest.write(normal, struct.pack("<IIQQ", 1, 0, protocol, 0x42c9a198))
        guest.write(protocol + 64, struct.pack("<QQ", base, size))
        slots.append(normal)
        slots += [0] * holes  # unloaded images leave freed slots
    guest.write(array, struct.pack("<%dQ" % len(slots), *slots))


def test_found_through_the_debug_image_table(efi):
    guest = made_up_guest()
    decoy = 0x43b00000  # same size, other contents: must be passed over
    guest.write(decoy, b"MZ" + bytes(0x6ffe))
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    firmware_tables(guest, [(0x43bf3000, 0xd000), (IMAGE_BASE, 0x7000), (decoy, 0x7000)])
    found = boot_efi.find(guest, efi)
    assert found.address == IMAGE_BASE
    assert "debug image table" in found.how and "%#x" % SYSTAB_AT in found.how
    assert any("%#x" % decoy in line and "differs" in line for line in found.listing)


def test_pointer_search_reads_4mib_boundaries_from_the_top_of_ram(efi):
    guest = made_up_guest()
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    firmware_tables(guest, [(IMAGE_BASE, 0x7000)])
    boot_efi.find(guest, efi)
    probes = [address for address, length in guest.reads if length == 16][:20]
    assert probes[0] == 0x47c00000
    assert probes[:19] == list(range(0x47c00000, POINTER_AT - 1, -0x400000))
    assert len(guest.reads) < 40


def test_found_below_a_cpu_pc_without_qemu_monitor(efi):
    guest = made_up_guest(mtree=None, pcs=[0, IMAGE_BASE + 0x11a4])
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    found = boot_efi.find(guest, efi)
    assert found.address == IMAGE_BASE and "pc %#x" % (IMAGE_BASE + 0x11a4) in found.how
    assert "listed no RAM" in found.listing[0]


def test_pc_fallback_when_the_table_does_not_list_it(efi):
    guest = made_up_guest(pcs=[IMAGE_BASE + 0x1000])
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    firmware_tables(guest, [(0x43bf3000, 0xd000)])
    found = boot_efi.find(guest, efi)
    assert found.address == IMAGE_BASE and "pc" in found.how
    assert any("none of the 1 images" in line for line in found.listing)


def test_pc_search_stays_within_the_image_size(efi):
    guest = made_up_guest(mtree=None, pcs=[0x47000000])
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    with pytest.raises(DetectionError) as error:
        boot_efi.find(guest, efi)
    assert min(address for address, _ in guest.reads) >= 0x47000000 - 0x7000
    assert "is the test running" in str(error.value)
    assert any("no PE header" in line for line in error.value.listing)


def test_other_code_at_the_header_is_refused(efi):
    guest = made_up_guest(mtree=None, pcs=[IMAGE_BASE + 0x1000])
    image = bytearray(loaded(efi, IMAGE_BASE))
    image[0x1010] ^= 0xff  # another build: same header, other code
    guest.write(IMAGE_BASE, image)
    with pytest.raises(DetectionError) as error:
        boot_efi.find(guest, efi)
    assert any(".text differs" in line for line in error.value.listing)


def test_garbage_tables_are_survived(efi):
    guest = made_up_guest(pcs=[IMAGE_BASE + 0x1000])
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    guest.write(POINTER_AT, b"IBI SYST" + struct.pack("<Q", 0x7fff0000))  # outside RAM
    found = boot_efi.find(guest, efi)
    assert found.address == IMAGE_BASE
    assert any("no EFI system table signature" in line for line in found.listing)


def test_check_names_the_file(efi):
    guest = made_up_guest()
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    boot_efi.check(guest, efi, IMAGE_BASE)
    with pytest.raises(MismatchError, match="is not %s" % efi.pe_path):
        boot_efi.check(guest, efi, IMAGE_BASE + 0x1000)


def test_pointers_out_of_ram_are_never_read(efi):
    guest = made_up_guest(pcs=[IMAGE_BASE + 0x1000])
    guest.write(IMAGE_BASE, loaded(efi, IMAGE_BASE))
    firmware_tables(guest, [(IMAGE_BASE, 0x7000)])
    uart = 0x09000000  # a read pops a byte from the UART
    systab = bytearray(guest.read_memory(SYSTAB_AT, 120))
    struct.pack_into("<QQ", systab, 104, 2, uart)
    guest.write(SYSTAB_AT, systab)
    found = boot_efi.find(guest, efi)
    assert found.address == IMAGE_BASE and "pc" in found.how
    assert not [address for address, _ in guest.reads if address < RAM[0]]
    assert any("no EFI_DEBUG_IMAGE_INFO_TABLE" in line for line in found.listing)
