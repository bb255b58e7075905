"""kut-debug finding files in a kvm-unit-tests tree: the log, the test's ELF,
the console file."""

import os

import pytest

from kut_debug.tree import tree_files
from kut_debug.errors import DebugError


def test_test_name_means_logs_name_log():
    assert tree_files.log_path("gicv2-mmio-up") == "logs/gicv2-mmio-up.log"
    assert tree_files.log_path("logs/pmu.log") == "logs/pmu.log"
    assert tree_files.log_path("/tmp/old/pmu.log") == "/tmp/old/pmu.log"


def test_console_file_is_beside_the_log():
    assert (tree_files.console_path_for_log("logs/gicv2-mmio-up.log")
            == "logs/gicv2-mmio-up.console")


def test_elf_beside_flat_and_debug_beside_efi(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("arm")
    for name in ("arm/gic.flat", "arm/gic.elf", "arm/pmu.efi", "arm/pmu.efi.debug", "x86/"):
        if name.endswith("/"):
            os.mkdir(name)
        else:
            open(name, "w").close()
    assert tree_files.elf_for_kernel("arm/gic.flat") == "arm/gic.elf"
    assert tree_files.elf_for_kernel("arm/pmu.efi") == "arm/pmu.efi.debug"
    open("x86/msr.elf", "w").close()
    assert tree_files.elf_for_kernel("x86/msr.elf") == "x86/msr.elf"
    with pytest.raises(DebugError, match=r"^neither arm/timer\.flat, the test's -kernel, nor "
                                         r"its ELF arm/timer\.elf exists; build the tests"):
        tree_files.elf_for_kernel("arm/timer.flat")
    open("arm/timer.flat", "w").close()
    with pytest.raises(DebugError, match=r"^arm/timer\.elf does not exist \(the ELF for -kernel "
                                         r"arm/timer\.flat\); give the test's ELF with --elf$"):
        tree_files.elf_for_kernel("arm/timer.flat")


def test_kernel_is_the_last_kernel_option():
    argv = ["qemu-system-aarch64", "-append", "-kernel", "-kernel", "a.flat", "--kernel", "b.flat"]
    assert tree_files.kernel_of(argv) == "b.flat"
    with pytest.raises(DebugError, match="no -kernel option nor an EFI application"):
        tree_files.kernel_of(["qemu-system-aarch64", "-M", "virt"])


def test_efi_test_on_a_fat_drive_is_the_original_with_its_dwarf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for directory in ("x86", "arm", "efi-tests/msr/EFI/BOOT", "efi-tests/pmu"):
        os.makedirs(directory)
    for path, contents in (("x86/msr.efi", b"MZ msr"), ("x86/msr.efi.debug", b""),
                           ("x86/other.efi", b"MZ other"), ("x86/other.efi.debug", b""),
                           ("efi-tests/msr/EFI/BOOT/BOOTX64.EFI", b"MZ msr"),
                           ("efi-tests/pmu/pmu.efi", b"MZ pmu"),
                           ("efi-tests/pmu/startup.nsh", b"pmu.efi\r\n")):
        with open(path, "wb") as data:
            data.write(contents)
    x86 = ["qemu-system-x86_64", "-drive", "file=OVMF_CODE.fd,if=pflash", "-drive",
           "file.dir=efi-tests/msr/,file.driver=vvfat,file.rw=on,format=raw,if=virtio"]
    assert tree_files.kernel_of(x86) == "x86/msr.efi"
    # No original with DWARF beside it: the copy, whose missing .debug kut-debug then names.
    arm = ["qemu-system-aarch64", "-drive", "file=fat:rw:efi-tests/pmu,format=raw"]
    assert tree_files.kernel_of(arm) == "efi-tests/pmu/pmu.efi"


def test_both_commands_read_the_same_kernel_argument():
    # kut-load reads the local QEMU's command line, kut-debug the log's: one parser.
    from kut_load.qemu import options as qemu_options
    argv = ["qemu-system-aarch64", "-kernel", "a.flat", "-append", "-kernel x.flat",
            "--kernel", "b.flat", "-S"]
    assert qemu_options.kernel_argument(argv) == "b.flat"
    assert tree_files.kernel_of(argv) == "b.flat"
    assert qemu_options.kernel_argument(["qemu-system-x86_64", "-append", "-kernel"]) is None


def test_elf_option_is_refused_before_anything_starts_unless_an_elf_or_pe(tmp_path):
    flat, text = tmp_path / "gic.flat", tmp_path / "notes.txt"
    flat.write_bytes(b"\x00\x00\x80\xd2")
    text.write_text("hello\n")
    with pytest.raises(DebugError, match=r"gic\.flat is not an ELF file \(no ELF magic at its "
                                         r"start\); its symbols are in the \.elf beside it$"):
        tree_files.checked_elf(str(flat))
    with pytest.raises(DebugError, match=r"notes\.txt is not an ELF file"):
        tree_files.checked_elf(str(text))
    for name, magic in (("x.elf", b"\x7fELF\x02\x01"), ("x.efi", b"MZ\x90\x00")):
        (tmp_path / name).write_bytes(magic)
        assert tree_files.checked_elf(str(tmp_path / name)) == str(tmp_path / name)
