"""QEMU's arm and aarch64 boot loader finder asks the target as little as it
can: the boot code where QEMU's virt machine has it, and QEMU's ROM list or
the CPUs only when that does not decode. Each request is a round trip to a
remote QEMU."""

import pytest

from boot_code_samples import QEMU_AARCH64_VIRT, QEMU_ARM_VIRT
from fake_target import FakeTarget
from kut_load import arches
from kut_load.finders import arm_boot_loader
from kut_load.finders.load_address import DetectionError
from kut_load.qemu.roms import Rom

# Its tests are of arm and aarch64 alike, whatever the file's name says.
ARCHITECTURE = None


def finder(name):
    """The finder of the architecture table's row for name."""
    return next(arch for arch in arches.ARCHES if arch.name == name).finder


def ram(base, code, size=0x1000):
    return {base: code + bytes(size - len(code))}


def test_aarch64_virt_is_one_read_and_no_rom_list(native):
    target = FakeTarget(ram(0x40000000, QEMU_AARCH64_VIRT))
    found = finder("aarch64")(target, native, None)
    assert found.address == 0x40080000
    assert target.requests == [("read", 0x40000000, arm_boot_loader.WINDOW)]


def test_arm_virt_is_one_read_and_no_rom_list(native):
    target = FakeTarget(ram(0x40000000, QEMU_ARM_VIRT))
    assert finder("arm")(target, native, None).address == 0x40010000
    assert target.requests == [("read", 0x40000000, arm_boot_loader.WINDOW)]


def test_boot_loader_elsewhere_is_found_through_the_rom_list(native):
    # Another board: nothing readable at the virt address, the ROM list says where.
    code = QEMU_AARCH64_VIRT.replace((0x40080000).to_bytes(8, "little"),
                                     (0x80000).to_bytes(8, "little"))
    target = FakeTarget(ram(0x0, code), roms=[Rom(0x0, 0x28, "ram", "bootloader")])
    found = finder("aarch64")(target, native, None)
    assert found.address == 0x80000
    assert target.requests == [("read", 0x40000000, arm_boot_loader.WINDOW), ("roms",),
                               ("read", 0x0, arm_boot_loader.WINDOW)]


def test_without_a_rom_list_the_boot_cpu_pc_is_read(native):
    code = QEMU_AARCH64_VIRT.replace((0x40080000).to_bytes(8, "little"),
                                     (0x10080000).to_bytes(8, "little"))
    target = FakeTarget(ram(0x10000000, code), pcs=[0x10000000])
    assert finder("aarch64")(target, native, None).address == 0x10080000
    assert ("threads",) in target.requests


def test_undecodable_boot_loader_is_read_once_and_reported(native):
    looping = bytearray(QEMU_AARCH64_VIRT)
    looping[0x14:0x18] = (0x14000000).to_bytes(4, "little")  # b . instead of br x4
    target = FakeTarget(ram(0x40000000, bytes(looping)),
                        roms=[Rom(0x40000000, 0x28, "ram", "bootloader")])
    with pytest.raises(DetectionError, match="QEMU's boot loader at 0x40000000") as error:
        finder("aarch64")(target, native, None)
    assert "0x40000014: 14000000" in "\n".join(error.value.listing)
    assert [r for r in target.requests if r[0] == "read"] == [
        ("read", 0x40000000, arm_boot_loader.WINDOW)]
