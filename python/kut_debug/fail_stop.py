"""--fail: the gdb commands that take the guest to the check that failed in
the log, instead of `break main`. The log's FAIL lines are read here first, so
a FAIL line that is not there is refused before QEMU starts."""

from kut_load.break_fail import log as fail_log
from kut_load.quoting import UnsafeName, check_printable, quote_argument

from kut_debug.errors import DebugError


def stop_commands(log, which, console):
    """kut-break-fail armed for the log's FAIL line `which` (None: the first;
    a number; or text the line contains), as gdb commands; the guest
    continues after them. log is None for a
    command given after --, which has no FAIL lines to pick from; console is
    the guest's console file, if already known, to compare its FAIL lines."""
    try:
        if which is not None:
            check_printable(which, "FAIL line")
        words = ["kut-break-fail"]
        if log is not None:
            fail_log.choose(fail_log.read_fail_lines(log), which, log)
            words += ["--log", quote_argument(log, "log path")]
        elif which is not None and not which.isdigit():
            raise DebugError("--fail-at TEXT picks a FAIL line of a log; give a log, or a number")
        if which is not None:
            words += ["--at", quote_argument(which, "FAIL line")]
        if console is not None:
            words += ["--console", quote_argument(console, "console path")]
        return [" ".join(words)]
    except (fail_log.FailLogError, UnsafeName) as error:
        raise DebugError(str(error)) from None
