"""kut-break-fail and kut-debug --fail on upstream tests that never call
report(): arm/sieve (common/sieve.c) links no lib/report.c, so there is no
failures counter, but it is a kvm-unit-tests test whose aborts and exceptions
can still be caught. Real QEMU and gdb-multiarch; which ending functions the
ELF has comes from its symbol table (pyelftools), not from kut-load."""

import os
import re
import subprocess

from elftools.elf.elffile import ELFFile

import upstream

KUT_DEBUG = os.path.join(os.path.dirname(upstream.HERE), os.pardir, "python", "kut-debug")
ENDING_FUNCTIONS = ("bad_exception", "unhandled_exception", "show_regs", "report_abort", "abort")
SIEVE = ["qemu-system-aarch64", "-nodefaults", "-machine", "virt", "-accel", "tcg",
         "-cpu", "cortex-a57", "-display", "none", "-serial", "stdio", "-kernel", "arm/sieve.flat"]


def function_symbols(elf):
    with open(elf, "rb") as stream:
        symbols = ELFFile(stream).get_section_by_name(".symtab")
        return {symbol.name for symbol in symbols.iter_symbols()
                if symbol["st_info"]["type"] == "STT_FUNC"}


def run_kut_debug(tree, args, timeout=300):
    result = subprocess.run(["nice", os.path.normpath(KUT_DEBUG), "--nx"] + args, cwd=tree,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=timeout)
    return result, result.stdout + result.stderr


def test_sieve_has_no_counter_but_its_ending_stops_are_set():
    tree = upstream.tree("arm64")
    functions = function_symbols(os.path.join(tree, "arm", "sieve.elf"))
    assert "failures" not in functions and "report" not in functions
    expected = [name for name in ENDING_FUNCTIONS if name in functions]
    assert "abort" in expected, expected
    result, out = run_kut_debug(tree, ["--batch", "--ex", "kut-break-fail",
                                       "--ex", "maint info breakpoints", "--"] + SIEVE)
    assert result.returncode == 0, out
    assert re.search(r"^Breakpoint 1, main \(", result.stdout, re.M), out
    said = re.findall(r"^kut-break-fail: .*$", result.stdout, re.M)
    assert said == ["kut-break-fail: the test has no report() checks (its ELF has no "
                    "lib/report.c failures counter), so the guest stops only where it ends "
                    "early: at " + ", ".join(expected)], out
    # gdb's own list of what is set: one breakpoint in each ending function of the ELF.
    for name in expected:
        assert re.search(r"breakpoint\s+keep\s+y\s+0x[0-9a-f]+ in %s at lib/" % name,
                         result.stdout), out
    assert "watchpoint" not in result.stdout, out


def test_fail_on_sieve_runs_to_its_end_saying_it_has_no_checks():
    # arm/sieve takes about 80 s under TCG: the real run, to its end.
    tree = upstream.tree("arm64")
    result, out = run_kut_debug(tree, ["--batch", "--fail", "--"] + SIEVE)
    assert result.returncode == 0, out
    assert "Breakpoint 1, main" not in result.stdout, out
    assert re.search(r"^kut-break-fail: (the test ran to its end|QEMU ended the session) "
                     r"without an assert, abort or unhandled exception; it has no report\(\) "
                     r"checks to fail$", result.stdout, re.M), out
    assert "nothing failed" not in out, out
