"""The same user session on every architecture's sample guest: kut-load,
break, continue, then the source line, a global and the backtrace."""

import re

import pytest

from conftest import guest_file
from sample_guests import ARCHES
from sample_output import MAGIC, MAIN_LINE, STOP_IN_MAIN, STOP_IN_MIX, frame_names
from session import Qemu, run_gdb


def guest(arch):
    return guest_file(arch, "sample.elf"), guest_file(arch, ARCHES[arch][2])


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_stops_in_main_with_source_line_and_globals(arch):
    elf, flat = guest(arch)
    qemu_arch, base, _ = ARCHES[arch]
    with Qemu(qemu_arch, flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break main", "continue",
                                  "info line *$pc", "print/x sample_magic",
                                  "print sample_counts[0]", "bt", "print/x $kut_base"])
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out
    assert re.search(r'Line %d of "\S+main\.c"' % MAIN_LINE, out), out
    assert MAGIC in out, out
    assert "$2 = 0\n" in out, out  # .bss is zero before main runs
    assert frame_names(out)[0] == "main", out
    assert "$3 = %#x" % base in out, out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_backtrace_from_inner_function_reaches_main(arch):
    elf, flat = guest(arch)
    with Qemu(ARCHES[arch][0], flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "break mix", "continue", "bt"])
    assert re.search("Breakpoint 1, " + STOP_IN_MIX.pattern, out), out
    assert frame_names(out)[:3] == ["mix", "compute_checksum", "main"], out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_no_argument_finds_the_elf_beside_the_flat(arch):
    _, flat = guest(arch)
    with Qemu(ARCHES[arch][0], flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue", "print/x sample_magic"])
    assert STOP_IN_MAIN.search(out), out
    assert MAGIC in out, out
