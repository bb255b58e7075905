"""kut-load on the x86_64 multiboot sample guest under real QEMU and
gdb-multiarch: QEMU loads the ELF segments at their link addresses."""

import re
import shutil
import subprocess

from conftest import guest_file
from guest_source import initial_value, marker_line
from session import Qemu, require, run_gdb

MAIN_LINE = marker_line("first line of main")
MIX_LINE = marker_line("inside mix")
MAGIC = "= %#x" % initial_value("sample_magic")
STOP_IN_MAIN = re.compile(r"Breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) at \S+/main\.c:%d"
                          % MAIN_LINE)


def x86_guest():
    # The .flat is the same image as an ELF32, which QEMU's multiboot loader needs.
    return guest_file("x86_64", "sample.elf"), guest_file("x86_64", "sample.flat")


def test_stops_in_main_with_source_line_and_globals():
    elf, flat = x86_guest()
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break main", "continue",
                                  "info line *$pc", "print/x sample_magic",
                                  "print sample_counts[0]", "bt", "print/x $kut_base"])
    assert STOP_IN_MAIN.search(out), out
    assert re.search(r'Line %d of "\S+main\.c"' % MAIN_LINE, out), out
    assert MAGIC in out, out
    assert "$2 = 0\n" in out, out  # .bss is zero before main runs
    assert re.search(r"#0  main \(", out), out
    assert "$3 = 0x400000" in out, out  # the image's own link address


def test_backtrace_from_inner_function_reaches_main():
    elf, flat = x86_guest()
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break mix", "continue", "bt"])
    assert re.search(r"Breakpoint 1, mix \(.*\) at \S+main\.c:%d" % MIX_LINE, out), out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", out, re.M)
    assert frames[:3] == ["mix", "compute_checksum", "main"], out


def test_no_argument_finds_the_elf_beside_the_flat():
    elf, flat = x86_guest()
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue", "print/x sample_magic"])
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out


def test_elf_linked_elsewhere_is_refused(tmp_path):
    # The same program moved by 4 MiB is not what QEMU's multiboot loader placed.
    elf, flat = x86_guest()
    moved = str(tmp_path / "moved.elf")
    objcopy = shutil.which("x86_64-linux-gnu-objcopy") or require("objcopy")
    subprocess.run([objcopy, "--change-addresses", "0x400000", elf, moved], check=True)
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + moved, "print sample_magic"])
    assert re.search(r"section \.text of %s is linked at 0x800000, outside them"
                     % re.escape(moved), out), out
    assert "No symbol table is loaded." in out, out


def test_elf_for_another_architecture_is_refused():
    _, flat = x86_guest()
    other = guest_file("riscv64", "sample.elf")
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + other, "print sample_magic"])
    assert "%s is built for riscv64, but the target is x86-64" % other in out, out
    assert "No symbol table is loaded." in out, out
