"""Refusals and warnings name the real cause, not the last thing that broke:
gdb's architecture when `target remote` failed, OpenSBI's next stage when the
image came with -device loader, an ELF QEMU placed at 0 with -kernel."""

import re

from conftest import guest_file
from sample_output import STOP_IN_MAIN
from relay import Relay
from session import Qemu, opensbi, run_gdb

G_PACKET = "Remote 'g' packet reply is too long"


def connect_and_load(arch, kernel, before, extra=(), load="kut-load"):
    with Qemu(arch, kernel, extra=extra) as qemu:
        return run_gdb(qemu.port, [*before, "target remote 127.0.0.1:%d" % qemu.port, load],
                       connect=False)


def test_x86_flat_as_main_file_names_gdbs_architecture():
    # x86's X.flat is the 32-bit copy of the 64-bit X.elf: gdb takes i386 from it.
    flat = guest_file("x86_64", "sample.flat")
    out = connect_and_load("x86_64", flat, ["file " + flat])
    assert G_PACKET in out, out
    assert re.search(r"gdb's architecture i386 \(taken from gdb's main file %s\) is not "
                     r"QEMU's: run 'file' with no argument" % re.escape(flat), out), out


def test_architecture_set_by_hand_is_named():
    out = connect_and_load("aarch64", guest_file("arm64", "sample.flat"),
                           ["set architecture arm"])
    assert G_PACKET in out, out
    assert "gdb's architecture arm (set by hand) is not QEMU's: run 'set architecture auto'" \
        in out, out


def test_without_target_remote_no_architecture_is_blamed():
    out = run_gdb(0, ["kut-load"], connect=False)
    assert "no target is connected" in out and "architecture" not in out, out


def test_image_placed_with_device_loader_names_opensbis_next_stage():
    flat = guest_file("riscv64", "sample.flat")
    out = connect_and_load("riscv64", None, [], load="kut-load -v",
                           extra=["-device", "loader,file=%s,addr=0x80200000" % flat])
    assert out.count("next_addr 0x0") == 1, out  # what OpenSBI was told, as read, once
    assert "OpenSBI's next stage is 0" in out and "-device loader" in out, out
    assert "cannot read" not in out, out
    assert "sample.elf at 0x80200000" in out, out


def test_elf_given_to_qemu_at_address_zero_is_refused_with_the_reason():
    elf = guest_file("arm64", "sample.elf")
    out = connect_and_load("aarch64", elf, [])
    assert ("QEMU loaded the ELF %s with -kernel at its link address 0x0, where the test "
            "cannot run; give QEMU the .flat image" % elf) in out, out
    assert "--address" not in out, out


def test_user_opensbi_as_bios_is_not_taken_for_the_test(tmp_path):
    # A firmware of the user's own, named as OpenSBI's build names it.
    firmware = tmp_path / "fw_dynamic.bin"
    firmware.write_bytes(open(opensbi("fw_dynamic.bin"), "rb").read())
    with Qemu("riscv64", guest_file("riscv64", "sample.flat"),
              extra=["-bios", str(firmware)]) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue"])
    assert STOP_IN_MAIN.search(out), out


def test_remote_qemu_with_user_opensbi_finds_the_test_by_its_rom(tmp_path):
    """Through a relay QEMU's command line is out of reach: the test is the ROM
    that holds the address OpenSBI enters, not the firmware listed before it."""
    firmware = tmp_path / "fw_dynamic.bin"
    firmware.write_bytes(open(opensbi("fw_dynamic.bin"), "rb").read())
    with Qemu("riscv64", guest_file("riscv64", "sample.flat"),
              extra=["-bios", str(firmware)]) as qemu, Relay(qemu.port) as relay:
        out = run_gdb(relay.port, ["monitor info roms", "kut-load", "break main", "continue"])
    assert out.index(str(firmware)) < out.index("sample.flat"), out  # listed first
    assert STOP_IN_MAIN.search(out), out
