"""kut-load on the riscv64 sample guest behind OpenSBI, and on a small
riscv32 image, under real QEMU and gdb-multiarch."""

import os
import re
import subprocess

from conftest import guest_file
from guest_source import initial_value, marker_line
from session import QEMU_COMMANDS, Qemu, require, run_gdb

MAIN_LINE = marker_line("first line of main")
MIX_LINE = marker_line("inside mix")
MAGIC = "= %#x" % initial_value("sample_magic")
STOP_IN_MAIN = re.compile(r"Breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) at \S+/main\.c:%d"
                          % MAIN_LINE)


def riscv64_guest():
    return guest_file("riscv64", "sample.elf"), guest_file("riscv64", "sample.flat")


def test_stops_in_main_with_source_line_and_globals():
    elf, flat = riscv64_guest()
    with Qemu("riscv64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break main", "continue",
                                  "info line *$pc", "print/x sample_magic",
                                  "print sample_counts[0]", "bt", "print/x $kut_base"])
    assert STOP_IN_MAIN.search(out), out
    assert re.search(r'Line %d of "\S+main\.c"' % MAIN_LINE, out), out
    assert MAGIC in out, out
    assert "$2 = 0\n" in out, out  # .bss is zero before main runs
    assert re.search(r"#0  main \(", out), out
    assert "$3 = 0x80200000" in out, out  # where OpenSBI enters the next stage


def test_backtrace_from_inner_function_reaches_main():
    elf, flat = riscv64_guest()
    with Qemu("riscv64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break mix", "continue", "bt"])
    assert re.search(r"Breakpoint 1, mix \(.*\) at \S+main\.c:%d" % MIX_LINE, out), out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", out, re.M)
    assert frames[:3] == ["mix", "compute_checksum", "main"], out


def test_no_argument_finds_the_elf_beside_the_flat():
    elf, flat = riscv64_guest()
    with Qemu("riscv64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue", "print/x sample_magic"])
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out


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
