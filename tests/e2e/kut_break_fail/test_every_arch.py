"""kut-break-fail on every architecture's checks images: real QEMU, real
gdb-multiarch. Where the guest must stop comes from markers in checks.c; where
it stopped comes from gdb's own `frame` and `info line` output."""

import os
import re

import pytest

from conftest import GUESTS_SRC, guest_file
from guest_source import marker_line
from session import Qemu, run_gdb

CHECKS_C = os.path.join(GUESTS_SRC, "common", "checks.c")
FIRST_FAIL = marker_line("first failing check", CHECKS_C)
SECOND_FAIL = marker_line("second failing check", CHECKS_C)
XPASS = marker_line("xpass check", CHECKS_C)
ASSERT_LINE = marker_line("assert", CHECKS_C)
UNMAPPED_LOAD = marker_line("unmapped load", CHECKS_C)
TRAP_INSTRUCTION = marker_line("trap instruction", CHECKS_C)
PASSING_LINES = {marker_line(marker, CHECKS_C) for marker in (
    "passing check", "xfail check", "kfail check", "skipped check", "passing check between")}

# guest directory -> QEMU, the file QEMU is given, where its exception handler keeps the
# interrupted pc (in the frame of the function named, if not the stop's), and the faulting
# line: a load from nowhere, or a trap instruction where that does not fault (checks.c).
ARCHES = {
    "arm64": ("aarch64", "flat", "regs->pc", None, UNMAPPED_LOAD),
    "arm": ("arm", "flat", "regs->uregs[15]", None, UNMAPPED_LOAD),
    "riscv64": ("riscv64", "flat", "regs->epc", None, UNMAPPED_LOAD),
    "x86_64": ("x86_64", "flat", "regs->rip", None, UNMAPPED_LOAD),
    "i386": ("i386", "flat", "regs->rip", None, TRAP_INSTRUCTION),
    # pseries is given the ELF; the handler calls abort(), as lib/powerpc's does.
    "ppc64le": ("ppc64", "elf", "regs->nip", "do_handle_exception", TRAP_INSTRUCTION),
    "ppc64": ("ppc64", "elf", "regs->nip", "do_handle_exception", TRAP_INSTRUCTION),
    # The old PSW points past a trap by the stored instruction length (PoO, program interrupts).
    "s390x": ("s390x", "elf", "lowcore.pgm_old_psw.addr - (lowcore.pgm_int_id & 6)", None,
              TRAP_INSTRUCTION),
}
MARK = "kut-test-mark"


def session(arch, outcome, commands):
    """gdb's output for commands after kut-load, split at each `echo MARK`."""
    elf = guest_file(arch, "checks-%s.elf" % outcome)
    image = guest_file(arch, "checks-%s.%s" % (outcome, ARCHES[arch][1]))
    with Qemu(ARCHES[arch][0], image) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf] + commands)
    return out, out.split(MARK + "\n")


def mark():
    return "echo %s\\n" % MARK


def selected_line(text):
    """The file:line of the frame gdb's `frame` command printed."""
    found = re.findall(r"^#\d+\s+.* at (\S+):(\d+)$", text, re.M)
    assert found, text
    path, line = found[0]
    return os.path.basename(path), int(line)


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_stops_at_each_failing_check_in_the_tests_frame(arch):
    out, parts = session(arch, "fail", [
        "kut-break-fail", "continue", mark(), "frame", "bt", mark(),
        "continue", mark(), "frame", mark(), "continue", mark(), "frame", mark(), "continue"])
    assert selected_line(parts[1]) == ("checks.c", FIRST_FAIL), out
    # The backtrace still starts in the report library, and reaches the check.
    backtrace = parts[1].split("\n", 2)[2]
    assert re.match(r"#0\s+.* at \S+/lib/report\.c:\d+$", backtrace, re.M), out
    assert re.search(r"^#\d+\s+0x[0-9a-f]+ in test_failing_checks \(\) at \S+checks\.c:%d$"
                     % FIRST_FAIL, backtrace, re.M), out
    assert selected_line(parts[3]) == ("checks.c", SECOND_FAIL), out
    # An expected failure that passes is unexpected too: lib/report.c counts XPASS as a failure.
    assert selected_line(parts[5]) == ("checks.c", XPASS), out
    # Never at a passing, expected or skipped check: the test then runs to its end.
    stops = [int(line) for line in re.findall(r"^#\d+\s+.* at \S+checks\.c:(\d+)$", out, re.M)]
    assert not PASSING_LINES & set(stops), out
    assert "no further unexpected failure" in parts[6], out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_passing_test_with_expected_failures_runs_to_its_end(arch):
    # The user's own breakpoint, set before kut-break-fail, still works and stays theirs.
    out, parts = session(arch, "pass", [
        "break report_summary", "kut-break-fail", "continue", mark(), "continue", mark(),
        "info breakpoints"])
    assert re.search(r"Breakpoint 1, (0x[0-9a-f]+ in )?report_summary \(", parts[0]), out
    assert "kut-break-fail: " not in parts[0].split("Breakpoint 1,")[1], out
    assert re.search(r"kut-break-fail: (the test ran to its end|QEMU ended the session): "
                     r"nothing failed", parts[1]), out
    assert re.findall(r"^\d+\s+breakpoint\s+keep\s+y\s", parts[2], re.M) and \
        len(re.findall(r"^\d+\s+", parts[2], re.M)) == 1, out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_assert_stops_at_the_assert_line(arch):
    out, parts = session(arch, "assert", ["kut-break-fail", "continue", mark(), "frame"])
    assert selected_line(parts[1]) == ("checks.c", ASSERT_LINE), out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_unexpected_exception_stops_with_the_faulting_line(arch):
    _, _, pc, handler, faulting_line = ARCHES[arch]
    select = ["frame function " + handler] if handler else []
    out, parts = session(arch, "exception", ["kut-break-fail", "continue", mark()] + select
                         + ["info line *(%s)" % pc])
    assert re.search(r'Line %d of "\S+checks\.c"' % faulting_line, parts[1]), out
    assert re.search(r"kut-break-fail: unexpected exception .* at \S+checks\.c:%d$"
                     % faulting_line, parts[0], re.M), out


def test_starting_at_a_later_failure_skips_the_earlier_ones():
    out, parts = session("arm64", "fail", ["kut-break-fail --at 2", "continue", mark(), "frame"])
    assert selected_line(parts[1]) == ("checks.c", SECOND_FAIL), out
    assert "checks.c:%d" % FIRST_FAIL not in parts[0], out


def test_off_removes_everything_it_set():
    out, parts = session("arm64", "fail", [
        "break main", "kut-break-fail", "kut-break-fail --off", "continue", mark(), "continue",
        mark(), "maint info breakpoints"])
    assert "Breakpoint 1, main" in parts[0], out
    assert "kut-break-fail: unexpected failure" not in out, out
    assert "exited normally" in parts[1], out
    assert "watchpoint" not in parts[2] and "-function" not in parts[2], out


@pytest.mark.parametrize("args, message", [
    ("--at nosuch", "--at TEXT picks a FAIL line of a log: give --log LOG too"),
    ("--at 0", "--at counts from 1"),
    ("extra", "unexpected argument 'extra'; see 'help kut-break-fail'"),
    ("--bogus", "unknown option '--bogus'; see 'help kut-break-fail'"),
    ("--log /nonexistent/x.log",
     "cannot read the log /nonexistent/x.log: No such file or directory"),
])
def test_usage_errors_are_one_line(args, message):
    out, _ = session("arm64", "fail", ["kut-break-fail " + args, "info breakpoints"])
    assert message + "\n" in out, out
    # gdb 16 says "No breakpoints, watchpoints, tracepoints, or catchpoints."
    assert re.search(r"No breakpoints(,| or) watchpoints", out), out


def test_without_symbols_says_to_load_them():
    with Qemu("aarch64", guest_file("arm64", "checks-fail.flat")) as qemu:
        out = run_gdb(qemu.port, ["kut-break-fail"])
    assert ("no `failures` counter of lib/report.c: no symbols are loaded; "
            "load the test's ELF first (kut-load)\n") in out, out


def test_symbols_of_something_else_are_named():
    elf = guest_file("arm64", "sample.elf")  # no lib/report.c in it
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "kut-break-fail"])
    assert ("no `failures` counter of kvm-unit-tests' lib/report.c, nor its abort() or "
            "exception handlers, in the loaded symbols (%s), so they are not a kvm-unit-tests "
            "test's; load the test's own ELF with kut-load\n" % elf) in out, out


def test_summary_line_counts_the_unexpected_failures():
    lines = {"SUMMARY: 8 tests, 3 unexpected failures, 1 expected failures\r\n": 3,
             "SUMMARY: 4 tests, 1 expected failures, 1 skipped\n": 0,
             "SUMMARY: 1 tests, 1 unexpected failures\nSUMMARY: 2 tests\n": 0,
             "FAIL: x\nEXIT: STATUS=3\n": None}
    probe = ("python from kut_load.break_fail import log as fail_log; "
             "print('counted:', [fail_log.summary_failures(t) for t in %r])" % list(lines))
    out = run_gdb(None, [probe], connect=False)
    assert "counted: %r\n" % list(lines.values()) in out, out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_without_hardware_watchpoints_it_stops_at_the_same_checks(arch):
    # The user's own setting: gdb would single-step a software watchpoint, so lines are broken on.
    out, parts = session(arch, "fail", [
        "set can-use-hw-watchpoints 0", "kut-break-fail", "continue", mark(), "frame", mark(),
        "continue", mark(), "frame", mark(), "continue", mark(), "frame", mark(), "continue",
        mark(), "show can-use-hw-watchpoints"])
    assert selected_line(parts[1]) == ("checks.c", FIRST_FAIL), out
    assert selected_line(parts[3]) == ("checks.c", SECOND_FAIL), out
    assert selected_line(parts[5]) == ("checks.c", XPASS), out
    stops = [int(line) for line in re.findall(r"^#\d+\s+.* at \S+checks\.c:(\d+)$", out, re.M)]
    assert not PASSING_LINES & set(stops), out
    assert "no further unexpected failure" in parts[6], out
    assert "watchpoint hardware is 0." in parts[7], out


def test_breakpoints_option_on_a_passing_test():
    out, parts = session("x86_64", "pass", ["kut-break-fail --breakpoints", "continue"])
    assert re.search(r"kut-break-fail: (the test ran to its end|QEMU ended the session): "
                     r"nothing failed", out), out
    assert "unexpected failure 1" not in out, out


def test_running_it_again_replaces_the_earlier_setting():
    out, parts = session("arm64", "fail", [
        "kut-break-fail --at 2", "kut-break-fail", "maint info breakpoints", mark(),
        "continue", mark(), "frame"])
    assert len(re.findall(r"hw watchpoint", parts[0])) == 1, out
    assert selected_line(parts[2]) == ("checks.c", FIRST_FAIL), out


@pytest.mark.parametrize("arch", ["arm64", "riscv64", "ppc64", "s390x"])
def test_set_before_kut_load_follows_the_symbols_it_loads(arch):
    # The user starts gdb with the ELF as main file (at its link address, 0 for these PIEs),
    # sets kut-break-fail, then connects and loads: the watchpoint must move with the symbols.
    # Big-endian ppc64 and s390x: kut-load sets the byte order only after loading.
    ext = ARCHES[arch][1]
    elf = guest_file(arch, "checks-assert.elf")
    with Qemu(ARCHES[arch][0], guest_file(arch, "checks-assert." + ext)) as qemu:
        out = run_gdb(qemu.port, ["file " + elf, "kut-break-fail",
                                  "target remote 127.0.0.1:%d" % qemu.port, "kut-load " + elf,
                                  "continue", mark(), "frame"], connect=False)
    assert selected_line(out.split(MARK + "\n")[1]) == ("checks.c", ASSERT_LINE), out
    elf = guest_file(arch, "checks-fail.elf")
    with Qemu(ARCHES[arch][0], guest_file(arch, "checks-fail." + ext)) as qemu:
        out = run_gdb(qemu.port, ["file " + elf, "kut-break-fail",
                                  "target remote 127.0.0.1:%d" % qemu.port, "kut-load " + elf,
                                  "continue", mark(), "frame"], connect=False)
    assert selected_line(out.split(MARK + "\n")[1]) == ("checks.c", FIRST_FAIL), out


def test_sourcing_defines_it_without_importing_it():
    probe = ("python import sys; print('imported:', "
             "any(name in sys.modules for name in "
             "('kut_load.break_fail.command', 'kut_load.break_fail.stops')))")
    out = run_gdb(None, [probe, "kut-break-fail --help", probe], connect=False)
    assert out.count("imported: False") == 1 and out.count("imported: True") == 1, out
    assert out.index("imported: False") < out.index("imported: True"), out
    assert "Usage: kut-break-fail" in out, out


@pytest.mark.parametrize("arch", ["arm64", "arm", "riscv64"])
def test_abort_from_an_exception_handler_still_names_the_faulting_line(arch):
    # A library whose handler goes straight to abort() (lib/powerpc does): here the
    # handler-specific breakpoints are taken away, so only abort() stops.
    drop = ("python from kut_load.break_fail import command as break_fail; "
            "[b.delete() for b in break_fail._ARMED.breakpoints if getattr(b, 'function_name', '') "
            "in ('show_regs', 'bad_exception', 'unhandled_exception')]")
    out, parts = session(arch, "exception", ["kut-break-fail", drop, "continue", mark(),
                                             "frame"])
    assert re.search(r"^#0\s+abort \(", parts[1], re.M), out
    assert re.search(r"kut-break-fail: unexpected exception \(stopped in abort\); it was taken "
                     r"at .* at \S+checks\.c:%d$" % UNMAPPED_LOAD, parts[0], re.M), out


def test_a_line_breakpoint_gdb_would_move_is_refused():
    # A line without code of its own (optimised away) would move the breakpoint to a line
    # every check reaches; report.c's puts("\n") in va_report has none at -O2.
    report_c = os.path.join(GUESTS_SRC, "lib", "report.c")
    line = marker_line_of(report_c, 'puts("\\n");', after="static void va_report")
    # One `python exec(...)` line: gdb 10 takes no multi-line python block in -ex.
    code = ("from kut_load.break_fail import stops as fail_stops, stop_points\n"
            "from kut_load.errors import KutLoadError\n"
            "t = fail_stops.Tracker(1, True)\n"
            "b = stop_points.FailureLineBreakpoint(%r, %d, 'failures', t)\n"
            "try:\n    b.check_own_code()\nexcept KutLoadError as e:\n    print('refused:', e)\n"
            % (report_c, line))
    script = "python exec(%r)" % code
    out = run_gdb(None, ["file " + guest_file("arm64", "checks-fail.elf"), script], connect=False)
    assert "refused: %s:%d has no code of its own in this build" % (report_c, line) in out, out


def marker_line_of(path, text, after):
    """The first line holding text after the line holding `after`."""
    with open(path) as source:
        lines = source.read().splitlines()
    start = next(number for number, line in enumerate(lines) if after in line)
    return next(number + 1 for number, line in enumerate(lines)
                if number > start and text in line)
