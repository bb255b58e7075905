"""kut-load on the riscv64 sample guest behind OpenSBI, and on a small
riscv32 image, under real QEMU and gdb-multiarch."""

import os
import re
import subprocess

from conftest import guest_file
from sample_output import MAGIC, STOP_IN_MAIN
from session import QEMU_COMMANDS, Qemu, require, run_gdb


def riscv64_guest():
    return guest_file("riscv64", "sample.elf"), guest_file("riscv64", "sample.flat")


def test_without_firmware_the_image_is_at_ram_base():
    # -bios none: the reset vector jumps to the image at 0x80000000 itself.
    elf, flat = riscv64_guest()
    with Qemu("riscv64", flat, extra=["-bios", "none"]) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break main", "continue",
                                  "print/x sample_magic", "print/x $kut_base"])
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out
    assert "$2 = 0x80000000" in out, out


RV32_IMAGE = """\
	.option norvc
	.globl	_start
_start:
	li	a0, 1
main:
	li	a1, 2		/* rv32: stop here */
1:	j	1b
	.data
rv32_magic:
	.word	0x5253435f
"""


def rv32_image(directory):
    """A riscv32 ELF linked at 0x80000000 and its flat copy."""
    prefix = "riscv64-linux-gnu-"
    source, obj = os.path.join(directory, "rv32.s"), os.path.join(directory, "rv32.o")
    elf, flat = os.path.join(directory, "rv32.elf"), os.path.join(directory, "rv32.flat")
    with open(source, "w") as out:
        out.write(RV32_IMAGE)
    subprocess.run([require(prefix + "as"), "-g", "-march=rv32i", "-mabi=ilp32", source,
                    "-o", obj], check=True)
    subprocess.run([require(prefix + "ld"), "-m", "elf32lriscv", "-Ttext=0x80000000", obj,
                    "-o", elf], check=True)
    subprocess.run([require(prefix + "objcopy"), "-O", "binary", elf, flat], check=True)
    return elf, flat


def test_riscv32_reset_vector_with_32_bit_words(tmp_path, monkeypatch):
    # No riscv32 OpenSBI ships with Debian's QEMU: boot the image directly.
    elf, flat = rv32_image(str(tmp_path))
    monkeypatch.setitem(QEMU_COMMANDS, "riscv32",
                        ["qemu-system-riscv32", "-machine", "virt", "-bios", "none"])
    with Qemu("riscv32", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break main", "continue",
                                  "print/x (unsigned int)rv32_magic", "print/x $kut_base"])
    assert re.search(r"Breakpoint 1, main \(\) at \S+rv32\.s:6", out), out
    assert "$1 = 0x5253435f" in out, out
    assert "$2 = 0x80000000" in out, out


def test_elf_for_another_architecture_is_refused():
    _, flat = riscv64_guest()
    other = guest_file("arm64", "sample.elf")
    with Qemu("riscv64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + other, "print sample_magic"])
    assert "%s is built for aarch64, but the target is riscv64" % other in out, out
    assert "No symbol table is loaded." in out, out
