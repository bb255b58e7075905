"""The unexpected failures a kvm-unit-tests log records, in the order the test
made them. Pure: no gdb.

kvm-unit-tests' lib/report.c prints one line per check, "PREFIX: message",
and counts FAIL and XPASS (an expected failure that passed) in its static
`failures` counter; XFAIL, KFAIL, PASS and SKIP are not counted. So the Nth
FAIL or XPASS line of a log is the Nth increment of that counter. Lines are
read without terminal control codes: EFI firmware clears the screen in front
of the guest's first line, and run_tests.sh colours its own summary.
"""

import re
from collections import namedtuple

from kut_load.errors import KutLoadError

# Counted by lib/report.c's va_report(); run_tests.sh writes the guest's lines as they are.
UNEXPECTED = re.compile(r"^(?:FAIL|XPASS): ")

# How a test that ends early says so: lib/report.c's report_abort(), libcflat.h's assert(),
# the arm, arm64 and x86 handlers' "Unhandled ...", s390x's "Unexpected ... interrupt".
ENDING = re.compile(r"^ABORT: |: assert failed: |^Unhandled |^Unexpected ")

# ECMA-48 control sequences (CSI ... final byte, as `\x1b[31m`, `\x1b[=3h`), string
# commands ended by BEL or ST, and two-byte escapes.
TERMINAL_CODE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
                           r"|[()*+][0-~]|[ -/]*[0-~])")

FailLine = namedtuple("FailLine", "number line_number text")
FailLine.__doc__ = """number: 1 for the log's first FAIL or XPASS line, and so on;
line_number: its 1-based line in the log; text: the line, without its end."""


def without_terminal_codes(text):
    """text as a terminal shows it, without the escape sequences that change
    its colours or cursor."""
    return TERMINAL_CODE.sub("", text)


class FailLogError(KutLoadError):
    """The log cannot be read, or has no FAIL line matching what was asked."""


def matching_lines(text, matches):
    """The lines of a log's text for which matches(line) holds, as FailLines
    numbered from 1 in log order."""
    found = []
    for line_number, line in enumerate(without_terminal_codes(text).splitlines(), 1):
        line = line.rstrip("\r")
        if matches(line):
            found.append(FailLine(len(found) + 1, line_number, line))
    return found


def fail_lines(text):
    """Every FAIL and XPASS line of a log's text, as FailLines in log order."""
    return matching_lines(text, UNEXPECTED.match)


def ending_lines(text):
    """The lines with which a test that ended early said so, as FailLines."""
    return matching_lines(text, ENDING.search)


def read_log(path):
    """A log file's text; FailLogError if it cannot be read."""
    try:
        with open(path, errors="replace") as log:
            return log.read()
    except OSError as error:
        raise FailLogError("cannot read the log %s: %s" % (path, error.strerror)) from None


def read_fail_lines(path):
    """fail_lines() of the log file at path; FailLogError if it cannot be read."""
    return fail_lines(read_log(path))


def choose(lines, which, log_name):
    """The FailLine that `which` names: None for the first, a number N for the
    Nth, other text for the first line containing it. lines may be empty only
    when which is None (the answer is then None)."""
    if which is None:
        return lines[0] if lines else None
    if not lines:
        raise FailLogError("%s has no FAIL line to stop at" % log_name)
    if which.isdigit():
        number = int(which)
        if not 1 <= number <= len(lines):
            raise FailLogError("%s has %d FAIL line%s; give a number from 1 to %d"
                               % (log_name, len(lines), "" if len(lines) == 1 else "s",
                                  len(lines)))
        return lines[number - 1]
    for line in lines:
        if which in line.text:
            return line
    raise FailLogError("no FAIL line of %s contains %r" % (log_name, which))


# QEMU's own last words when a signal ends it (softmmu/runstate.c): the sender's name in
# brackets, `timeout` when run_tests.sh's TIMEOUT ran out.
QEMU_SIGNALLED = re.compile(r"^qemu-system-\S+: terminating on signal (\d+) from pid \d+"
                            r"(?: \((?P<sender>[^)]*)\))?")
# What QEMU prints when KVM cannot go on, before its register dump (accel/kvm/kvm-all.c).
KVM_INTERNAL_ERROR = re.compile(r"^KVM internal error\. Suberror: (\d+)")
# The timeout(1) run_tests.sh puts in front of QEMU: `timeout -k 1s --foreground 90s`.
TIMEOUT_COMMAND = re.compile(r"^timeout(?: -k \S+)?(?: --foreground)? (?P<duration>\S+) ")
SUMMARY = re.compile(r"^SUMMARY: ")
# scripts/arch-run.bash's run_qemu, when QEMU ends on SIGABRT; QEMU's own
# error, if any, comes before it.
QEMU_ABORTED = re.compile(r"^QEMU Aborted\b")
QEMU_ERROR = re.compile(r"^qemu-system-\S+: (?:error: )?(?P<error>.+)")


def logged_end(text):
    """How the logged run ended when something else than the test ended it, in
    words ("run_tests.sh's timeout (90s) ended QEMU at log line 12, before the
    test's end"), or None when QEMU's own lines in the log say nothing of it."""
    lines = [line.rstrip("\r") for line in without_terminal_codes(text).splitlines()]
    timeout = TIMEOUT_COMMAND.match(lines[0]) if lines else None
    for line_number, line in enumerate(lines, 1):
        kvm = KVM_INTERNAL_ERROR.match(line)
        if kvm:
            return ("QEMU stopped on a KVM internal error (suberror %s) at log line %d; the "
                    "guest's registers follow it there" % (kvm.group(1), line_number))
        if QEMU_ABORTED.match(line):
            errors = qemu_errors(lines[:line_number - 1])
            return ("QEMU aborted at log line %d%s" % (
                line_number, " (%s)" % errors[0] if errors else ""))
        signalled = QEMU_SIGNALLED.match(line)
        if signalled:
            if signalled["sender"] == "timeout" and timeout:
                return ("run_tests.sh's timeout (%s) ended QEMU at log line %d, before the "
                        "test's end" % (timeout["duration"], line_number))
            return ("signal %s%s ended QEMU at log line %d, before the test's end"
                    % (signalled.group(1), " from %s" % signalled["sender"]
                       if signalled["sender"] else "", line_number))
    return None


def qemu_errors(lines):
    """QEMU's own error messages in a log's lines ("qemu-system-riscv64:
    unable to find CPU model 'max'" -> "unable to find CPU model 'max'"),
    without its "terminating on signal" notices."""
    found = (QEMU_ERROR.match(line) for line in lines if not QEMU_SIGNALLED.match(line))
    return [match["error"] for match in found if match]


def summarized(text):
    """Whether the log has the test's SUMMARY line (lib/report.c's report_summary)."""
    return any(SUMMARY.match(line) for line in without_terminal_codes(text).splitlines())


# report_summary's line: "SUMMARY: 13 tests, 6 unexpected failures, 1 skipped".
SUMMARY_LINE = re.compile(r"^SUMMARY: \d+ tests?\b(.*?)\r?$", re.M)
SUMMARY_UNEXPECTED = re.compile(r"\b(\d+) unexpected failures?\b")


def summary_failures(text):
    """The unexpected failures of the last SUMMARY line in a console text, or
    None without one; a SUMMARY line that names none counts 0."""
    found = SUMMARY_LINE.findall(text)
    if not found:
        return None
    count = SUMMARY_UNEXPECTED.search(found[-1])
    return int(count.group(1)) if count else 0


def console_failures(path):
    """summary_failures() of the console file, or None if it cannot be read."""
    try:
        with open(path, errors="replace") as console:
            return summary_failures(console.read())
    except OSError:
        return None


def last_console_line(path):
    """The console file's last non-empty line, or None."""
    if path is None:
        return None
    try:
        with open(path, errors="replace") as console:
            lines = [line.strip() for line in console.read()[-4096:].splitlines()]
    except OSError:
        return None
    lines = [line for line in lines if line]
    return lines[-1] if lines else None
