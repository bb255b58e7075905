"""Parsing `monitor info roms`, on what QEMU 7.2 printed through gdb for the
sample guests (qemu-system-ARCH ... -kernel sample.flat -S, then
gdb-multiarch -batch -ex 'target remote ...' -ex 'monitor info roms')."""

from info_roms_samples import AARCH64, ARM, GDB_NOISE, RISCV64, X86_64
from kut_load.qemu.roms import Rom, parse_info_roms, segment_of


def test_aarch64():
    assert parse_info_roms(GDB_NOISE + AARCH64) == [
        Rom(0x40000000, 0x28, "ram", "bootloader"),
        Rom(0x40080000, 0x540, "ram", "build/tests/guests/arm64/sample.flat"),
        Rom(0x44000000, 0x100000, "ram", "dtb"),
    ]


def test_arm():
    roms = parse_info_roms(ARM)
    assert [(r.address, r.name) for r in roms] == [
        (0x40000000, "bootloader"), (0x40010000, "build/tests/guests/arm/sample.flat"),
        (0x44000000, "dtb")]


def test_riscv64_lists_mrom_firmware_and_fdt():
    roms = parse_info_roms(RISCV64)
    assert roms == [
        Rom(0x1000, 0x28, "rom", "mrom.reset"),
        Rom(0x1028, 0x30, "rom", "mrom.finfo"),
        Rom(0x80000000, 0x1c280, "ram",
            "/usr/bin/../share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"),
        Rom(0x80200000, 0x560, "ram", "build/tests/guests/riscv64/sample.flat"),
        Rom(0x87e00000, 0x100000, "ram", "fdt"),
    ]


def test_x86_64_multiboot_segments_and_bios():
    # fw_cfg files without an address are not placed in memory: skipped.
    assert parse_info_roms(X86_64) == [
        Rom(0x400000, 0x5040, "ram",
            "build/tests/guests/x86_64/sample.flat ELF program header segment 0"),
        Rom(0xfffc0000, 0x40000, "rom", "bios-256k.bin"),
    ]


def test_segment_names_of_qemu_6_and_later_and_of_qemu_5():
    # What qemu-system-x86_64 -kernel x86/msr.flat lists on QEMU 7.2 and on QEMU 5.2 (Debian 11).
    assert segment_of("x86/msr.flat ELF program header segment 1") == ("x86/msr.flat", 1)
    assert segment_of("phdr #0: /t/x86/msr.flat") == ("/t/x86/msr.flat", 0)
    assert segment_of("phdr #0 x86/msr.flat") is None
    assert segment_of("x86/msr.flat") is None


def test_fw_prefix_with_an_address_is_kept():
    roms = parse_info_roms('fw=genroms/x.bin addr=00000000000c0000 size=0x000200 '
                           'mem=rom name="x.bin"\n')
    assert roms == [Rom(0xc0000, 0x200, "rom", "x.bin")]


def test_names_with_spaces_and_quotes_are_kept_whole():
    roms = parse_info_roms('addr=0000000040080000 size=0x000010 mem=ram '
                           'name="my tests/it\'s "odd".flat"\n')
    assert [r.name for r in roms] == ['my tests/it\'s "odd".flat']


def test_garbage_lines_are_skipped():
    garbage = "\n".join([
        "",
        "monitor: unknown command 'info roms'",
        "addr=zzzz size=0x10 mem=ram name=\"x\"",
        "addr=0000000040000000 size=28 mem=ram name=\"no 0x\"",
        "addr=0000000040000000 size=0x28 mem=ram name=\"unterminated",
        "addr=0000000040000000 mem=ram name=\"no size\"",
        "\x00\xff binary",
        "Remote connection closed",
    ])
    assert parse_info_roms(garbage) == []
    assert parse_info_roms(garbage + "\n" + AARCH64)[1].address == 0x40080000


def test_empty_output():
    assert parse_info_roms("") == []


def test_contains():
    rom = Rom(0x40000000, 0x28, "ram", "bootloader")
    assert rom.contains(0x40000000) and rom.contains(0x40000027)
    assert not rom.contains(0x40000028) and not rom.contains(0x3fffffff)
