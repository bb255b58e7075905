"""kut-load on the arm64 EFI sample under real QEMU and Debian's UEFI firmware:
the firmware chooses where the image goes, and gdb attaches while it runs."""

import os
import re
import shutil

import pytest

from conftest import guest_file
from efi_sample import CALL_LINE, FIRMWARE, MAIN_C, frames, wait_until_running
from guest_source import initial_value, marker_line
from session import Qemu, run_gdb

TICK_LINE = marker_line("inside tick", MAIN_C)
LOOP_LINE = marker_line("loop in run_forever", MAIN_C)


def sample():
    return guest_file("efi-arm64", "sample.efi"), guest_file("efi-arm64", "sample.efi.debug")


def firmware_args(smp=1):
    assert os.path.isfile(FIRMWARE), "%s is missing: install qemu-efi-aarch64" % FIRMWARE
    # -bios maps the firmware read-only; kvm-unit-tests' arm/efi/run starts it so.
    return ["-nodefaults", "-bios", FIRMWARE, "-smp", str(smp)]


@pytest.fixture(scope="module")
def running_sample():
    """One firmware boot, -kernel sample.efi, shared by the single-CPU tests."""
    efi, _ = sample()
    with Qemu("aarch64", efi, extra=firmware_args(), paused=False) as qemu:
        wait_until_running(qemu)
        yield qemu


def test_backtrace_after_interrupting_a_running_test(running_sample):
    efi, _ = sample()
    out = run_gdb(running_sample.port, ["kut-load " + efi, "bt", "print efi_sample_ticks",
                                        "print/x *efi_sample_magic_ref",
                                        "output/c *(char (*)[2])$kut_base"])
    first = frames(out[:out.find("$1 = ")])
    names = [name for name, _, _ in first]
    assert names[-2:] == ["efi_main", "_start"], out
    assert names[0] in ("tick", "run_forever"), out
    assert ("efi_main", "main.c", CALL_LINE) in first, out
    assert re.search(r"^\$1 = [1-9]\d*$", out, re.M), out  # the loop has been counting
    # Through a pointer the image relocated: right only if both offsets agree.
    assert "$2 = %#x" % initial_value("efi_sample_magic", MAIN_C) in out, out
    assert "{77 'M', 90 'Z'}" in out, out  # $kut_base is the image's first byte


def test_no_argument_takes_the_kernel_from_qemus_command_line(running_sample, tmp_path):
    # The firmware, not QEMU's loader, placed the image: only QEMU's -kernel names it.
    out = run_gdb(running_sample.port, ["kut-load", "bt"], cwd=tmp_path)
    assert "sample.efi.debug at " in out, out
    assert [name for name, _, _ in frames(out)][-2:] == ["efi_main", "_start"], out


def test_breakpoint_in_the_running_loop(running_sample):
    _, debug = sample()
    out = run_gdb(running_sample.port, ["kut-load " + debug, "break tick", "continue", "bt"])
    assert re.search(r"Breakpoint 1, tick \(count=\d+\) at \S+main\.c:%d" % TICK_LINE, out), out
    assert frames(out)[:3] == [("tick", "main.c", TICK_LINE), ("run_forever", "main.c", LOOP_LINE),
                               ("efi_main", "main.c", CALL_LINE)], out
    assert frames(out)[3][:2] == ("_start", "start.S"), out


def test_wrong_address_and_lone_image_are_single_errors(running_sample, tmp_path):
    efi, _ = sample()
    lone = tmp_path / "lone.efi"
    shutil.copy(efi, lone)
    out = run_gdb(running_sample.port, ["kut-load --address 0x40000000 " + efi,
                                        "kut-load %s" % lone,
                                        "print efi_sample_magic"])
    assert "the guest's memory at 0x40000000 is not %s" % efi in out, out
    assert "%s has no DWARF beside it: expected %s.debug" % (lone, lone) in out, out
    assert 'No symbol table is loaded' in out, out  # neither error loaded anything
    assert "Traceback" not in out and "Python Exception" not in out, out


def test_same_result_with_a_secondary_vcpu_selected():
    efi, _ = sample()
    with Qemu("aarch64", efi, extra=firmware_args(smp=2), paused=False) as qemu:
        wait_until_running(qemu)
        out = run_gdb(qemu.port, ["thread 2", "kut-load " + efi, "thread", "thread 1", "bt"])
    assert re.search(r"Current thread is 2\b", out), out  # kut-load kept the selection
    names = [name for name, _, _ in frames(out)]
    assert names[-2:] == ["efi_main", "_start"] and names[0] in ("tick", "run_forever"), out
    assert ("efi_main", "main.c", CALL_LINE) in frames(out), out


def test_started_by_the_uefi_shell_from_a_fat_directory(tmp_path):
    """kvm-unit-tests' default: the test is copied to a directory QEMU shows as
    a FAT disk, and the shell runs it from startup.nsh."""
    efi, debug = sample()
    disk = tmp_path / "disk"
    disk.mkdir()
    shutil.copy(efi, disk / "sample.efi")
    (disk / "startup.nsh").write_bytes(b"@echo -off\r\nfs0:\r\nsample.efi\r\n")
    qemu = Qemu("aarch64", efi, paused=False, extra=firmware_args() + [
        "-drive", "file=fat:%s,format=raw,if=virtio,readonly=on" % disk])
    at = qemu.argv.index("-kernel")  # Qemu always passes one; this boot has none
    del qemu.argv[at:at + 2]
    with qemu:
        wait_until_running(qemu, needs_shell=True)
        out = run_gdb(qemu.port, ["kut-load " + debug, "break tick", "continue", "bt"])
        console = qemu.console_text()
    assert "UEFI Interactive Shell" in console, console
    assert re.search(r"Breakpoint 1, tick \(count=\d+\) at \S+main\.c:%d" % TICK_LINE, out), out
    assert [name for name, _, _ in frames(out)] == ["tick", "run_forever", "efi_main",
                                                    "_start"], out


def test_before_the_firmware_ran_says_so():
    efi, _ = sample()
    with Qemu("aarch64", efi, extra=firmware_args(), paused=True) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + efi, "print efi_sample_magic"])
    assert "could not find %s in guest memory" % efi in out, out
    assert "is the test running?" in out, out
    assert "No symbol table is loaded" in out, out
    assert "Traceback" not in out and "Python Exception" not in out, out
