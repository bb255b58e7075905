"""Tests QEMU places with its generic ELF loader (ppc64 pseries, s390x,
i386) under real QEMU and gdb-multiarch: a secondary vCPU selected, a
repeat, gdb's byte order following the ELF, the wrong architecture."""

import re

import pytest
from elftools.elf.elffile import ELFFile

from conftest import guest_file
from sample_output import MAGIC, STOP_IN_MAIN, STOP_IN_MIX
from session import Qemu, run_gdb

# guest directory -> (QEMU, the file QEMU is given, the ELF's byte order)
GUESTS = {
    "ppc64le": ("ppc64", "sample.elf", "little"),
    "ppc64": ("ppc64", "sample.elf", "big"),
    "s390x": ("s390x", "sample.elf", "big"),
    "i386": ("i386", "sample.flat", "little"),
}


def objfiles(name):
    return ("python print('objfiles:', len([o for o in gdb.objfiles() "
            "if o.filename.endswith('%s')]))" % name)


def started(arch, **kwargs):
    qemu_arch, kernel, _ = GUESTS[arch]
    return Qemu(qemu_arch, guest_file(arch, kernel), **kwargs)


@pytest.mark.parametrize("arch", sorted(GUESTS))
def test_secondary_vcpu_selected_and_no_argument(arch):
    with started(arch, extra=["-smp", "2"]) as qemu:
        out = run_gdb(qemu.port, ["thread 2", "kut-load", "thread", "break main",
                                  "continue", "print/x sample_magic"])
    assert "[Current thread is 2" in out, out  # the user's selection is kept
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out


@pytest.mark.parametrize("arch", sorted(GUESTS))
def test_repeat_keeps_one_copy_and_breakpoints(arch):
    elf = guest_file(arch, "sample.elf")
    with started(arch) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break mix", "kut-load " + elf,
                                  objfiles("/%s/sample.elf" % arch), "continue", "bt"])
    assert "objfiles: 1" in out, out
    assert STOP_IN_MIX.search(out), out


@pytest.mark.parametrize("arch", sorted(GUESTS))
def test_byte_order_follows_the_elf_and_is_reported(arch):
    elf = guest_file(arch, "sample.elf")
    order = GUESTS[arch][2]
    with started(arch) as qemu:
        out = run_gdb(qemu.port, ["show endian", "kut-load " + elf, "show endian"])
    before, after = out.split("kut-load: ", 1)
    assert "(currently little endian)" in before, out  # gdb's own default here
    assert re.search(r"(currently|set to) %s endian" % order, after), out
    said = re.search("kut-load: %s at 0x.*; byte order set to big-endian, as the ELF is "
                     "built$" % re.escape(elf), out, re.M)
    assert bool(said) == (order == "big"), out


def test_big_endian_dry_run_changes_nothing():
    elf = guest_file("ppc64", "sample.elf")
    with started("ppc64") as qemu:
        out = run_gdb(qemu.port, ["kut-load --dry-run " + elf, "show endian",
                                  objfiles("sample.elf")])
    assert 'add-symbol-file "%s" -o 0x400000\nset endian big\n' % elf in out, out
    assert "(currently little endian)" in out and "objfiles: 0" in out, out


@pytest.mark.parametrize("arch, other", [("ppc64", "s390x"), ("s390x", "ppc64le"),
                                         ("ppc64le", "riscv64"), ("i386", "arm")])
def test_elf_for_another_architecture_is_refused(arch, other):
    elf = guest_file(other, "sample.elf")
    with started(arch) as qemu:
        out = run_gdb(qemu.port, ["show endian", "kut-load " + elf, "show endian",
                                  "print sample_magic"])
    assert "%s is built for " % elf in out and ", but the target is " in out, out
    assert out.count("(currently little endian)") == 2, out  # untouched
    assert "No symbol table is loaded." in out, out


def test_ppc64_powernv_raw_file_under_skiboot():
    # kvm-unit-tests' MACHINE=powernv: skiboot is the firmware, and QEMU puts
    # the ELF file itself at 0x20000000, where skiboot runs it in place.
    elf = guest_file("ppc64le", "sample.elf")
    with open(elf, "rb") as stream:
        # By hand: pyelftools 0.27 (Debian 11) takes no type in iter_segments().
        first = next(segment for segment in ELFFile(stream).iter_segments()
                     if segment["p_type"] == "PT_LOAD")
        base = 0x20000000 + first["p_offset"] - first["p_vaddr"]
    with Qemu("ppc64-powernv", elf) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "print/x $kut_base", "break main", "continue",
                                  "print/x sample_magic"])
    assert "$1 = %#x" % base in out, out
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out
