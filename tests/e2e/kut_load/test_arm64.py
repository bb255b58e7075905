"""kut-load on the arm64 sample guest under real QEMU and gdb-multiarch."""

import re

from conftest import guest_file
from sample_output import MAIN_LINE
from session import Qemu, run_gdb


def arm64_guest():
    return guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")


def test_prints_one_line_naming_file_address_and_method():
    elf, flat = arm64_guest()
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf])
    lines = [line for line in out.splitlines() if line.startswith("kut-load:")]
    assert len(lines) == 1, out
    assert elf in lines[0] and "0x40080000" in lines[0] and "boot loader" in lines[0], out


def test_settings_unchanged_and_no_prompt():
    elf, flat = arm64_guest()
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["set confirm on", "set pagination on", "kut-load " + elf,
                                  "show confirm", "show pagination"])
    assert "(y or n)" not in out, out
    assert "Whether to confirm potentially dangerous operations is on." in out, out
    assert "State of pagination is on." in out, out


def test_works_from_another_directory_with_relative_path(tmp_path):
    elf, flat = arm64_guest()
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load sample.elf", "break main", "continue"],
                      cwd=elf.rsplit("/", 1)[0])
    assert re.search(r"main \(.*\) at \S+main\.c:%d" % MAIN_LINE, out), out


def test_help_and_errors_are_single_lines():
    elf, flat = arm64_guest()
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["help kut-load", "kut-load /no/such/file.elf",
                                  "kut-load " + flat, "kut-load --bogus"])
    assert "Usage: kut-load" in out, out
    assert "/no/such/file.elf: no such file\n" in out, out
    assert flat + ": not an ELF file" in out, out
    assert "unknown option '--bogus'" in out, out
    assert "Traceback" not in out and "Python Exception" not in out, out


def test_without_target_says_how_to_connect():
    elf, _ = arm64_guest()
    out = run_gdb(0, ["kut-load " + elf], connect=False)
    assert "no target is connected" in out, out
    assert "Traceback" not in out, out
