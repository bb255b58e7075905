"""kut-load on the 32-bit arm sample guest under real QEMU and gdb-multiarch."""

import os
import re
import subprocess

from binutils import quiet_rwx
from conftest import GUESTS_SRC, guest_file
from sample_output import MAGIC, STOP_IN_MAIN
from session import QEMU_COMMANDS, Qemu, require, run_gdb


# How tests/guests/CMakeLists.txt builds the arm sample, to relink it elsewhere.
ARM_GUEST_FLAGS = [
    "-g", "-O0", "-ffreestanding", "-nostdlib", "-fno-omit-frame-pointer",
    "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
    "-fno-pie", "-marm", "-mcpu=cortex-a15", "-mgeneral-regs-only", "-mno-unaligned-access",
    "-Wl,-n", "-Wl,-z,noexecstack", "-Wl,--build-id=none",
    "-static", "-no-pie"]


def arm_guest():
    return guest_file("arm", "sample.elf"), guest_file("arm", "sample.flat")


def arm_guest_linked_at(directory, address):
    """The arm sample built again, linked to run at address."""
    compiler = require("arm-linux-gnueabihf-gcc")
    with open(os.path.join(GUESTS_SRC, "arm", "flat.lds")) as script:
        text = script.read()
    assert "0x40010000" in text, "the arm sample is no longer linked at 0x40010000"
    lds = os.path.join(directory, "flat.lds")
    with open(lds, "w") as script:
        script.write(text.replace("0x40010000", "%#x" % address))
    elf, flat = os.path.join(directory, "sample.elf"), os.path.join(directory, "sample.flat")
    sources = [os.path.join(GUESTS_SRC, "arm", "start.S"), os.path.join(GUESTS_SRC, "arm", "io.c"),
               os.path.join(GUESTS_SRC, "common", "main.c")]
    flags = ARM_GUEST_FLAGS + quiet_rwx(compiler) + ["-I", os.path.join(GUESTS_SRC, "common")]
    subprocess.run([compiler] + flags + ["-T", lds] + sources + ["-o", elf], check=True)
    subprocess.run([require("arm-linux-gnueabihf-objcopy"), "-O", "binary", elf, flat],
                   check=True)
    return elf, flat


def test_board_setup_boot_loader_on_raspi2b(tmp_path, monkeypatch):
    # raspi2b puts a call to its board-setup code in front of QEMU's boot
    # loader and loads the image at 0x10000; the sample is rebuilt to run there.
    elf, flat = arm_guest_linked_at(str(tmp_path), 0x10000)
    monkeypatch.setitem(QEMU_COMMANDS, "arm-raspi2b", ["qemu-system-arm", "-machine", "raspi2b"])
    with Qemu("arm-raspi2b", flat) as qemu:
        out = run_gdb(qemu.port, ["x/2i $pc", "kut-load " + elf, "break main", "continue",
                                  "print/x sample_magic", "print/x $kut_base"])
    assert re.search(r"0x0:\s+add\s+lr, pc, #4", out), out  # the board-setup call is there
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out
    assert "$2 = 0x10000" in out, out


def test_elf_for_another_architecture_is_refused():
    _, flat = arm_guest()
    other = guest_file("riscv64", "sample.elf")
    with Qemu("arm", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + other, "print sample_magic"])
    assert "%s is built for riscv64, but the target is arm" % other in out, out
    assert "No symbol table is loaded." in out, out
