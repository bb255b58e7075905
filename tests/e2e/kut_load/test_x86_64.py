"""kut-load on the x86_64 multiboot sample guest under real QEMU and
gdb-multiarch: QEMU loads the ELF segments at their link addresses."""

import shutil
import subprocess

from conftest import guest_file
from session import Qemu, require, run_gdb


def x86_guest():
    # The .flat is the same image as an ELF32, which QEMU's multiboot loader needs.
    return guest_file("x86_64", "sample.elf"), guest_file("x86_64", "sample.flat")


def test_elf_linked_elsewhere_is_refused(tmp_path):
    # The same program moved by 4 MiB is not what QEMU's multiboot loader placed.
    elf, flat = x86_guest()
    moved = str(tmp_path / "moved.elf")
    objcopy = shutil.which("x86_64-linux-gnu-objcopy") or require("objcopy")
    subprocess.run([objcopy, "--change-addresses", "0x400000", elf, moved], check=True)
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + moved, "print sample_magic"])
    assert ("%s is linked to run at 0x800000, but the image in the guest starts at 0x400000"
            % moved) in out, out
    assert "No symbol table is loaded." in out, out


def test_elf_for_another_architecture_is_refused():
    _, flat = x86_guest()
    other = guest_file("riscv64", "sample.elf")
    with Qemu("x86_64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + other, "print sample_magic"])
    assert "%s is built for riscv64, but the target is x86-64" % other in out, out
    assert "No symbol table is loaded." in out, out
