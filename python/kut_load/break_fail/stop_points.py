"""The breakpoints and watchpoints kut-break-fail sets: on the failure
counter (or the lines that raise it), where report() returns to the test,
at report_summary, and on the functions that end a test. Each tells its
Tracker (stops.py) what it saw."""

import gdb

from kut_load import breakpoints
from kut_load.break_fail.library import SUMMARY_FUNCTION, read_counter
from kut_load.errors import KutLoadError
from kut_load.quoting import printable


class LineWithoutCode(KutLoadError):
    """A line of report.c that has no instruction of its own in this build."""


def location_count(breakpoint):
    """How many addresses a breakpoint has (an inlined function: one per copy);
    each takes a debug register. 1 where this gdb cannot say."""
    locations = breakpoints.locations(breakpoint)
    return len(locations) if locations else 1


class FailureWatch(gdb.Breakpoint):
    """A write watchpoint on one copy of `failures`; stops when it grows to at
    least `first`."""

    def __init__(self, expression, tracker):
        super().__init__(expression, gdb.BP_WATCHPOINT, gdb.WP_WRITE, internal=True)
        # The stop handler shows the test's frame instead of the counter's.
        self.silent = breakpoints.silent_stops()
        self.tracker = tracker
        self.last = int(gdb.parse_and_eval(self.expression))

    def stop(self):
        value = int(gdb.parse_and_eval(self.expression))
        grew = value > self.last  # the start code zeroing .bss is not a failure
        self.last = value
        self.tracker.count = max(self.tracker.count, value) if grew else value
        return grew and value >= self.tracker.first and not self.tracker.return_to_test(value)

    def failure_number(self):
        return self.last

    def renewed(self):
        """This watchpoint, or a new one if the counter is not what it last saw
        (a replay went back): gdb compares writes with its own old value."""
        try:
            if int(gdb.parse_and_eval(self.expression)) == self.last:
                return self
        except gdb.error:
            return self
        expression, tracker = self.expression, self.tracker
        self.delete()
        return FailureWatch(expression, tracker)


class FailureLineBreakpoint(gdb.Breakpoint):
    """Without a hardware watchpoint: a breakpoint on a line of report.c that
    raises `failures`, at every place it was inlined; it stops before the
    increment, so this is failure counter + 1."""

    def __init__(self, path, line, counter, tracker, hardware=False):
        super().__init__(source=path, line=line, internal=True, type=breakpoint_type(hardware))
        self.silent = breakpoints.silent_stops()
        self.counter = counter
        self.tracker = tracker
        self.number_seen = 0
        self.path = path
        self.line_number = line

    def check_own_code(self):
        """Optimised code may have no instruction of its own for the line: gdb
        would move the breakpoint to a line that every report reaches."""
        for _, line in breakpoints.locations(self) or ():
            if line is not None and line != self.line_number:
                raise LineWithoutCode("%s:%d has no code of its own in this build, so a "
                                      "breakpoint there would stop at every check; use the "
                                      "hardware watchpoint"
                                      % (printable(self.path), self.line_number))

    def stop(self):
        self.number_seen = read_counter(self.counter) + 1
        self.tracker.count = self.number_seen
        return self.number_seen >= self.tracker.first and \
            not self.tracker.return_to_test(self.number_seen)

    def failure_number(self):
        return self.number_seen


def breakpoint_type(hardware):
    return breakpoints.code_type(hardware, "kut-break-fail under KVM")


class ReturnToTest(gdb.Breakpoint):
    """Where report() returns to the test's frame, for failure `number`: set
    when the test's image has no call frame information, so that the stop is
    in the test's frame itself, whose registers are then the guest's."""

    def __init__(self, address, number, image, hardware=False):
        super().__init__("*%#x" % address, internal=True, temporary=True,
                         type=breakpoint_type(hardware))
        self.silent = breakpoints.silent_stops()
        self.failure = number
        self.image = image

    def stop(self):
        return True

    def failure_number(self):
        return self.failure


class SummaryReader(gdb.Breakpoint):
    """Reads the counter where report_summary() starts, and goes on: the
    test's own count of its unexpected failures, for the end of the run."""

    def __init__(self, counter, tracker):
        super().__init__("-function %s" % SUMMARY_FUNCTION, internal=True)
        self.silent = True
        self.counter = counter
        self.tracker = tracker

    def stop(self):
        try:
            self.tracker.summary_count = read_counter(self.counter)
        except gdb.error:
            pass
        return False


class EndingBreakpoint(gdb.Breakpoint):
    """A breakpoint on a function that ends the test; only the first that is
    reached stops (report_abort calls abort, bad_exception calls show_regs)."""

    def __init__(self, function, tracker, hardware=False):
        super().__init__("-function %s" % function, internal=True,
                         type=breakpoint_type(hardware))
        self.silent = breakpoints.silent_stops()  # the stop handler says why, and shows the frame
        self.function_name = function
        self.tracker = tracker

    def stop(self):
        if self.tracker.ended:
            return False
        self.tracker.ended = True
        return True
