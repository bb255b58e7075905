"""From the file QEMU booted to the ELF holding its symbols."""

import os

import pytest

from info_roms_samples import AARCH64, RISCV64, X86_64
from kut_load.qemu.kernel_file import candidates, file_name_of, kernel_rom, locate
from kut_load.qemu.roms import parse_info_roms


def kernel_of(text):
    rom = kernel_rom(parse_info_roms(text))
    return file_name_of(rom) if rom else ""


def test_kernel_is_the_rom_qemu_did_not_make_itself():
    assert kernel_of(AARCH64) == "build/tests/guests/arm64/sample.flat"
    assert kernel_of(RISCV64) == "build/tests/guests/riscv64/sample.flat"


def test_kernel_of_x86_multiboot_segments_drops_the_segment_suffix():
    assert kernel_of(X86_64) == "build/tests/guests/x86_64/sample.flat"


def test_firmware_is_recognised_by_file_name_not_by_directory():
    roms = ('addr=0000000080000000 size=0x01c100 mem=rom name="/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"\n'
            'addr=0000000080200000 size=0x001000 mem=ram name="/src/efi-tree/bios/x.flat"\n')
    assert kernel_of(roms) == "/src/efi-tree/bios/x.flat"


def test_no_kernel_listed():
    only_blobs = ('addr=0000000040000000 size=0x000028 mem=ram name="bootloader"\n'
                  'addr=0000000044000000 size=0x100000 mem=ram name="dtb"\n')
    assert kernel_of(only_blobs) == ""
    assert kernel_rom([]) is None


def test_candidates_in_directory_order():
    assert candidates("arm/gic.elf", ["/home/u/kut", None, "", "/qemu/cwd"]) == [
        "/home/u/kut/arm/gic.elf", "/qemu/cwd/arm/gic.elf"]
    assert candidates("../kut/arm/gic.elf", ["/a/b"]) == ["/a/kut/arm/gic.elf"]


def test_absolute_name_is_its_only_candidate():
    assert candidates("/srv/kut/arm/gic.elf", ["/home", "/qemu"]) == ["/srv/kut/arm/gic.elf"]


def make_file(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").close()
    return path


def test_locate_lists_files_in_directory_order(tmp_path):
    first, second = str(tmp_path / "gdb"), str(tmp_path / "qemu")
    make_file(os.path.join(second, "arm", "gic.elf"))
    assert locate("arm/gic.flat", [first, second]) == [os.path.join(second, "arm", "gic.elf")]
    make_file(os.path.join(first, "arm", "gic.elf"))
    assert locate("arm/gic.flat", [first, second]) == [os.path.join(first, "arm", "gic.elf"),
                                                       os.path.join(second, "arm", "gic.elf")]


def test_locate_lists_one_file_once(tmp_path):
    make_file(str(tmp_path / "arm" / "gic.elf"))
    assert locate("arm/gic.flat", [str(tmp_path), str(tmp_path / "arm" / "..")]) == \
        [str(tmp_path / "arm" / "gic.elf")]


def test_locate_efi_debug_file(tmp_path):
    path = make_file(str(tmp_path / "arm" / "gic.efi.debug"))
    make_file(str(tmp_path / "arm" / "gic.efi"))
    assert locate("arm/gic.efi", [str(tmp_path)]) == [path]


def test_locate_ignores_directories(tmp_path):
    os.makedirs(str(tmp_path / "arm" / "gic.elf"))
    with pytest.raises(FileNotFoundError):
        locate("arm/gic.flat", [str(tmp_path)])


def test_locate_error_names_every_place_looked(tmp_path):
    first, second = str(tmp_path / "gdb"), str(tmp_path / "qemu")
    with pytest.raises(FileNotFoundError) as missing:
        locate("arm/gic.flat", [first, None, second])
    message = str(missing.value)
    assert "arm/gic.flat" in message
    assert os.path.join(first, "arm", "gic.elf") in message
    assert os.path.join(second, "arm", "gic.elf") in message


def test_locate_error_without_directories():
    with pytest.raises(FileNotFoundError, match="arm/gic.elf"):
        locate("arm/gic.flat", [None])


USER_FIRMWARE = [
    "/home/u/opensbi/build/platform/generic/firmware/fw_dynamic.bin",
    "/home/u/opensbi/fw_jump.elf ELF program header segment 1",
    "/home/u/u-boot/u-boot.bin",
    "/home/u/kvm-unit-tests/powerpc/boot_rom.bin",
    "/home/u/my-firmware.bin",
]
# Firmware whose name the architecture table knows: the last resort without
# an address leaves it out; any other name could be the test.
KNOWN_BY_NAME = {"/home/u/u-boot/u-boot.bin", "/home/u/kvm-unit-tests/powerpc/boot_rom.bin"}


@pytest.mark.parametrize("firmware", USER_FIRMWARE)
def test_firmware_the_user_gave_is_not_the_test(firmware):
    roms = parse_info_roms(
        'addr=0000000080000000 size=0x045ac8 mem=ram name="%s"\n'
        'addr=0000000080200000 size=0x000560 mem=ram name="riscv/sbi.flat"\n'
        'addr=0000000087e00000 size=0x100000 mem=ram name="fdt"\n' % firmware)
    # Where the boot code says the test is, is what names it.
    assert file_name_of(kernel_rom(roms, 0x80200000)) == "riscv/sbi.flat"
    assert file_name_of(kernel_rom(roms, 0x80200010)) == "riscv/sbi.flat"
    assert kernel_rom(roms, 0x90000000) is None
    if firmware in KNOWN_BY_NAME:
        assert file_name_of(kernel_rom(roms)) == "riscv/sbi.flat"
    else:
        # Without that address, two files could each be the test: no guess.
        assert kernel_rom(roms) is None


def test_every_segment_of_one_file_is_one_kernel():
    roms = parse_info_roms(
        'addr=0000000000400000 size=0x001000 mem=ram name="x86/msr.flat ELF program header segment 0"\n'
        'addr=0000000000401000 size=0x002000 mem=ram name="x86/msr.flat ELF program header segment 1"\n')
    assert file_name_of(kernel_rom(roms)) == "x86/msr.flat"
