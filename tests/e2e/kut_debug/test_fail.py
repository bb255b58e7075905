"""kut-debug --fail end to end: from a log with FAIL lines to gdb stopped at
the failing check, real QEMU and gdb-multiarch on the arm64 checks images."""

import os
import re

import pytest

from conftest import GUESTS_SRC, guest_file
from guest_source import marker_line
from session import require
from kut_debug_process import ARM64_LOG_LINE, assert_session_gone, run_kut_debug

CHECKS_C = os.path.join(GUESTS_SRC, "common", "checks.c")
FIRST_FAIL = marker_line("first failing check", CHECKS_C)
SECOND_FAIL = marker_line("second failing check", CHECKS_C)
EXPECTED_LINES = ("PASS: register reads back\nXFAIL: erratum makes this fail\n"
                  "KFAIL: known bug makes this fail\nSKIP: feature not present\n")
# What ./run_tests.sh -v logs for each image (its console output).
LOG_BODIES = {
    "fail": EXPECTED_LINES + ("FAIL: first check that fails\nPASS: check between the failures\n"
                              "FAIL: second check that fails\nXPASS: expected to fail, but passes\n"
                              "SUMMARY: 8 tests, 3 unexpected failures, 1 expected failures, "
                              "1 known failures, 1 skipped\n"),
    "pass": EXPECTED_LINES + ("SUMMARY: 4 tests, 1 expected failures, 1 known failures, "
                              "1 skipped\n"),
    "assert": EXPECTED_LINES + ("common/checks.c:%d: assert failed: register_value == 0\n"
                                % marker_line("assert", CHECKS_C)),
}
MARK = "kut-test-mark"


@pytest.fixture
def tree(tmp_path):
    """A kvm-unit-tests tree after ./run_tests.sh -v: logs/fail.log, logs/pass.log,
    logs/assert.log."""
    require("qemu-system-aarch64")
    require("gdb-multiarch")
    os.mkdir(tmp_path / "logs")
    os.mkdir(tmp_path / "arm64")
    for outcome, body in LOG_BODIES.items():
        for suffix in (".flat", ".elf"):
            name = "checks-" + outcome + suffix
            os.symlink(guest_file("arm64", name), str(tmp_path / "arm64" / name))
        first_line = ARM64_LOG_LINE.replace("arm64/sample.flat", "arm64/checks-%s.flat" % outcome)
        (tmp_path / "logs" / (outcome + ".log")).write_text(first_line + "\n" + body)
    yield tmp_path
    assert_session_gone(tmp_path)


def selected_line(text):
    """The line of the frame gdb's own `frame` command printed."""
    found = re.findall(r"^#\d+\s+.* at \S+/(\S+):(\d+)$", text, re.M)
    assert found, text
    return found[0][0], int(found[0][1])


def stop_then_frame(tree, args, command=()):
    """kut-debug --batch with args (and a QEMU command after --), then gdb's `frame`."""
    result = run_kut_debug(tree, ["--batch"] + args +
                           ["--ex", "echo %s\\n" % MARK, "--ex", "frame"] +
                           (["--"] + list(command) if command else []))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    before, _, frame = result.stdout.rpartition(MARK + "\n")
    return out, before, frame


def test_fail_stops_at_the_first_failing_check_with_its_fail_line(tree):
    out, before, frame = stop_then_frame(tree, ["--fail", "logs/fail.log"])
    assert selected_line(frame) == ("checks.c", FIRST_FAIL), out
    # The log's FAIL line is shown with the frame, and which of the log's FAIL lines it is.
    assert re.search(r"^kut-break-fail: unexpected failure 1 .*\n"
                     r"kut-break-fail: logs/fail\.log, FAIL line 1 of 3 \(log line 6\): "
                     r"FAIL: first check that fails\n(kut-break-fail: .*\n)?"
                     r"#\d+ .* at \S+checks\.c:%d\n" % FIRST_FAIL,
                     before, re.M), out
    assert "Breakpoint" not in before and " main (" not in before, out
    # The guest's console, beside the log, has this run's own FAIL line.
    assert "kut-break-fail: this run printed the same line\n" in before, out


def test_a_run_that_fails_elsewhere_than_the_log_says_so(tree):
    log = tree / "logs" / "fail.log"
    log.write_text(log.read_text().replace("FAIL: second check that fails",
                                           "FAIL: a check this build does not have"))
    out, before, frame = stop_then_frame(tree, ["--fail-at", "2", "fail"])
    assert selected_line(frame) == ("checks.c", SECOND_FAIL), out
    assert ("kut-break-fail: this run printed another line, so it fails elsewhere than the "
            "logged run: FAIL: second check that fails\n") in before, out


@pytest.mark.parametrize("which", ["2", "second check"])
def test_fail_at_a_chosen_fail_line(tree, which):
    out, before, frame = stop_then_frame(tree, ["--fail-at", which, "fail"])
    assert selected_line(frame) == ("checks.c", SECOND_FAIL), out
    assert "FAIL: second check that fails" in before, out
    assert "checks.c:%d" % FIRST_FAIL not in before, out


def test_continue_goes_on_to_the_next_failure(tree):
    out, before, frame = stop_then_frame(tree, ["--fail", "--ex", "continue", "fail"])
    assert selected_line(frame) == ("checks.c", SECOND_FAIL), out
    assert "FAIL line 2 of 3 (log line 8): FAIL: second check that fails" in before, out


def test_passing_test_runs_to_its_end_and_says_nothing_failed(tree):
    result = run_kut_debug(tree, ["--batch", "--fail", "pass"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "logs/pass.log has no FAIL line" in result.stdout, out
    assert re.search(r"kut-break-fail: (the test ran to its end|QEMU ended the session): "
                     r"nothing failed", result.stdout), out
    assert "exited normally" in result.stdout, out


@pytest.mark.parametrize("args, message", [
    (["--fail-at", "4", "fail"], "logs/fail.log has 3 FAIL lines; give a number from 1 to 3"),
    (["--fail-at", "nosuch", "fail"], "no FAIL line of logs/fail.log contains 'nosuch'"),
    (["--fail-at", "1", "pass"], "logs/pass.log has no FAIL line to stop at"),
    (["--fail", "--break", "mix", "fail"], "give --break or --fail, not both"),
])
def test_a_fail_line_that_is_not_there_starts_nothing(tree, args, message):
    result = run_kut_debug(tree, ["--batch"] + args)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "kut-debug: %s\n" % message)
    assert not (tree / "logs" / "fail.console").exists()


def test_an_assert_in_the_log_stops_at_the_assert(tree):
    out, before, frame = stop_then_frame(tree, ["--fail", "assert"])
    assert selected_line(frame) == ("checks.c", marker_line("assert", CHECKS_C)), out
    assert re.search(r"^kut-break-fail: logs/assert\.log, log line 6: \S+checks\.c:\d+: "
                     r"assert failed: register_value == 0$", before, re.M), out


def test_fail_with_a_command_instead_of_a_log(tree):
    out, before, frame = stop_then_frame(tree, ["--fail"], [
        "qemu-system-aarch64", "-machine", "virt", "-cpu", "max",
        "-kernel", "arm64/checks-fail.flat"])
    assert selected_line(frame) == ("checks.c", FIRST_FAIL), out
    assert "FAIL line" not in before, out


def test_a_run_that_fails_where_the_log_passed_says_so(tree):
    first_line = ARM64_LOG_LINE.replace("arm64/sample.flat", "arm64/checks-fail.flat")
    (tree / "logs" / "passed.log").write_text(first_line + "\n" + LOG_BODIES["pass"])
    out, before, frame = stop_then_frame(tree, ["--fail", "passed"])
    assert selected_line(frame) == ("checks.c", FIRST_FAIL), out
    assert "kut-break-fail: logs/passed.log has no FAIL line: this run fails where the logged " \
           "one did not\n" in before, out
