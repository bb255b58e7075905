"""EFI tests started as kvm-unit-tests' run scripts start them, under real
QEMU and Debian's firmware: x86_64 under OVMF (x86/efi/run: OVMF from
pflash, the test as EFI/BOOT/BOOTX64.EFI on a vvfat disk, no -kernel) and
riscv64 under U-Boot (-kernel u-boot.bin, the test on a vvfat disk). Bare
kut-load finds the test's X.efi by the contents of the disk's copy."""

import os
import shutil

from conftest import guest_file
from guest_source import initial_value
from efi_sample import CALL_LINE, MAIN_C, frames, wait_until_running
from session import Qemu, run_gdb

OVMF = "/usr/share/ovmf/OVMF.fd"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
MAGIC = initial_value("efi_sample_magic", MAIN_C)


def efi_tree(tmp_path, arch, source_dir, boot_name):
    """A kvm-unit-tests tree as the run script leaves it: SOURCE_DIR/sample.efi
    and its .debug, and the copy QEMU's disk boots, efi-tests/sample/BOOT_NAME."""
    tree = tmp_path / "kvm-unit-tests"
    (tree / source_dir).mkdir(parents=True)
    for name in ("sample.efi", "sample.efi.debug"):
        shutil.copy(guest_file("efi-" + arch, name), tree / source_dir / name)
    disk = tree / "efi-tests" / "sample"
    (disk / os.path.dirname(boot_name)).mkdir(parents=True, exist_ok=True)
    shutil.copy(guest_file("efi-" + arch, "sample.efi"), disk / boot_name)
    return tree


def vvfat():
    return ["-drive", "file.dir=efi-tests/sample/,file.driver=vvfat,file.rw=on,format=raw,"
            "if=virtio"]


def check_stopped_in_the_test(out, efi):
    first = frames(out[:out.find("$1 = ")])
    names = [name for name, _, _ in first]
    assert names[-2:] == ["efi_main", "_start"], out
    assert ("efi_main", "main.c", CALL_LINE) in first, out
    assert "$1 = %#x" % MAGIC in out, out
    assert "kut-load: %s.debug at " % efi in out, out


def test_x86_64_under_ovmf_with_no_argument(tmp_path):
    assert os.path.isfile(OVMF), "%s is missing: install ovmf" % OVMF
    tree = efi_tree(tmp_path, "x86_64", "x86", "EFI/BOOT/BOOTX64.EFI")
    extra = ["-drive", "file=%s,format=raw,if=pflash,readonly=on" % OVMF] + vvfat() + [
        "-net", "none", "-m", "256", "-smp", "1"]
    with Qemu("x86_64", None, extra=extra, paused=False, cwd=str(tree)) as qemu:
        wait_until_running(qemu)
        out = run_gdb(qemu.port, ["kut-load", "bt", "print/x *efi_sample_magic_ref"],
                      cwd=str(tmp_path))
    check_stopped_in_the_test(out, str(tree / "x86" / "sample.efi"))


def test_arm64_from_the_uefi_shell_with_no_argument(tmp_path):
    # arm/efi/run: the test beside a startup.nsh that names it, the firmware by -bios.
    firmware = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
    tree = efi_tree(tmp_path, "arm64", "arm", "sample.efi")
    (tree / "efi-tests" / "sample" / "startup.nsh").write_bytes(b"@echo -off\nsample.efi\n")
    extra = ["-nodefaults", "-bios", firmware] + vvfat() + ["-smp", "1"]
    with Qemu("aarch64", None, extra=extra, paused=False, cwd=str(tree)) as qemu:
        wait_until_running(qemu, needs_shell=True)
        out = run_gdb(qemu.port, ["kut-load", "bt", "print/x *efi_sample_magic_ref"],
                      cwd=str(tree))
    check_stopped_in_the_test(out, str(tree / "arm" / "sample.efi"))


def test_riscv64_under_u_boot_with_no_argument(tmp_path):
    # U-Boot (Debian has no RISC-V EDK2) runs EFI/BOOT/BOOTRISCV64.EFI from the disk.
    assert os.path.isfile(UBOOT), "%s is missing: install u-boot-qemu" % UBOOT
    tree = efi_tree(tmp_path, "riscv64", "riscv", "EFI/BOOT/BOOTRISCV64.EFI")
    extra = ["-drive", "file=fat:rw:efi-tests/sample,format=raw,if=virtio", "-m", "256"]
    with Qemu("riscv64", UBOOT, extra=extra, paused=False, cwd=str(tree)) as qemu:
        wait_until_running(qemu)
        out = run_gdb(qemu.port, ["kut-load", "bt", "print/x *efi_sample_magic_ref"],
                      cwd=str(tmp_path))
    check_stopped_in_the_test(out, str(tree / "riscv" / "sample.efi"))
