"""kut-load on real upstream kvm-unit-tests, every architecture: the test
started paused by its own run script, gdb attached as users attach it, and
the stop at main checked against the ELF's own DWARF (dwarf_oracle)."""

import os
import re

import pytest

import dwarf_oracle
import upstream
from run_cases import CASES, assert_stopped_in_main, run
from run_script import PausedRun
from session import run_mi


@pytest.mark.parametrize("config", sorted(CASES))
def test_bare_kut_load_stops_at_main(config):
    out, elf = run(config, ["kut-load", "break main", "continue", "bt"])
    assert_stopped_in_main(out, elf)


@pytest.mark.parametrize("config", sorted(CASES))
def test_kut_load_file_with_breakpoint_set_first(config):
    """The user's order: a pending breakpoint before loading, confirm on, file named."""
    elf_name = CASES[config][3]
    out, elf = run(config, ["set confirm on", "set breakpoint pending on", "break main",
                            "kut-load " + elf_name,
                            "continue", "bt", "show confirm", "info breakpoints"])
    assert_stopped_in_main(out, elf)
    assert "Whether to confirm potentially dangerous operations is on." in out, out
    assert re.search(r"^1 +breakpoint +keep y ", out, re.M), out


@pytest.mark.parametrize("config", ["arm64", "riscv64", "ppc64le"])
def test_main_file_first_is_replaced_at_the_running_image(config):
    """gdb-multiarch X.elf: the main file sits at the link address of a PIE."""
    out, elf = run(config, ["break main", "kut-load", "continue", "bt"], main_file=True)
    assert_stopped_in_main(out, elf)


@pytest.mark.parametrize("config", ["arm64", "riscv64", "x86_64"])
def test_a_front_end_reading_the_elf_after_the_automatic_load_keeps_main_where_it_runs(config):
    """`set kut-load auto on`, then a front end over MI connects and reads the
    test's ELF as its main file (-file-exec-and-symbols, as seer does): gdb
    neither fails (gdb 13: an internal error after add-symbol-file -o, then
    file) nor puts main at the ELF's link address too."""
    tree = upstream.tree(config)
    script, kernel, args, elf = CASES[config]
    with PausedRun(tree, config, script, kernel, args) as paused:
        out = run_mi(["-environment-cd " + tree, "-gdb-set kut-load auto on",
                      "-target-select remote 127.0.0.1:%d" % paused.port,
                      "-file-exec-and-symbols " + elf, "-break-insert main", "-exec-continue"])
    assert "internal-error" not in out, out
    inserted = re.search(r"^\^done,bkpt=\{number=\"1\",(.*)$", out, re.M)
    assert inserted and "<MULTIPLE>" not in inserted.group(1), out
    stop = re.search(r'^\*stopped,reason="breakpoint-hit",.*func="main",.*file="([^"]+)",'
                     r'.*line="(\d+)"', out, re.M)
    assert stop, out
    assert dwarf_oracle.function_start(os.path.join(tree, elf)).holds(
        stop.group(1), int(stop.group(2))), out
