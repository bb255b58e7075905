"""The riscv reset vector finder asks the target as little as it can: the
reset vector where QEMU's virt machine has it, and QEMU's ROM list only when
that does not decode. Each request is a round trip to a remote QEMU."""

from boot_code_samples import QEMU_RV64
from fake_target import FakeTarget
from kut_load import arches
from kut_load.finders import riscv_reset_vector
from kut_load.qemu.roms import Rom


def finder(name):
    """The finder of the architecture table's row for name."""
    return next(arch for arch in arches.ARCHES if arch.name == name).finder


def ram(base, code, size=0x1000):
    return {base: code + bytes(size - len(code))}


def test_riscv64_virt_is_one_read_and_no_rom_list(native):
    target = FakeTarget(ram(0x1000, QEMU_RV64))
    assert finder("riscv64")(target, native, None).address == 0x80200000
    assert target.requests == [("read", 0x1000, riscv_reset_vector.DEFAULT_WINDOW)]


def test_riscv_reset_vector_elsewhere_is_found_through_the_rom_list(native):
    target = FakeTarget(ram(0x2000, QEMU_RV64.replace(
        (0x80200000).to_bytes(8, "little"), (0x80400000).to_bytes(8, "little"))),
        roms=[Rom(0x2000, 0x28, "rom", "mrom.reset"), Rom(0x2028, 0x30, "rom", "mrom.finfo")])
    assert finder("riscv64")(target, native, None).address == 0x80400000
    assert target.requests[1:] == [("roms",), ("read", 0x2000, 0x58)]
