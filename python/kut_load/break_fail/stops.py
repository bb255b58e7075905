"""What kut-break-fail sets in gdb and follows while the guest runs: the
Tracker places the stops (stop_points.py) and hears each one; what it says
there is stop_reports.py's and end_reports.py's."""

import gdb

from kut_load import arches
from kut_load.break_fail.end_reports import EndReports
from kut_load.break_fail.frames import guessed_registers, test_frame
from kut_load.break_fail.library import SUMMARY_FUNCTION, function_exists, increment_lines
from kut_load.break_fail.say import say
from kut_load.break_fail.stop_points import (EndingBreakpoint, FailureLineBreakpoint,
                                             FailureWatch, ReturnToTest, SummaryReader,
                                             location_count)
from kut_load.break_fail.stop_reports import StopReports
from kut_load.errors import KutLoadError
from kut_load.session import frame_level, own_run

# Where arches.py's row does not say: the minimum of the architectures that do.
DEFAULT_DEBUG_REGISTERS = (2, "2 debug registers, assumed")


class TooFewRegisters(KutLoadError):
    """Under KVM, the hardware stops asked for need more debug registers than there are."""


def debug_registers():
    """(how many hardware stops KVM can have at once, the phrase saying why),
    from arches.py's row of gdb's architecture."""
    arch = arches.of_gdb(gdb.selected_inferior().architecture().name())
    return (arch and arch.debug_registers) or DEFAULT_DEBUG_REGISTERS


class Tracker(StopReports, EndReports):
    """What kut-break-fail set up, and what it saw of the test so far."""

    def __init__(self, first, use_lines, log_name=None, fail_lines=(), ending_lines=(),
                 console=None, kvm=False):
        """first: the failure number to stop at first; use_lines: line
        breakpoints instead of a watchpoint; log_name, fail_lines and
        ending_lines: the log's (fail_log); console: the guest's console file;
        kvm: the guest runs under KVM, where only hardware stops stop."""
        self.first = first
        self.use_lines = use_lines
        self.log_name = log_name
        self.fail_lines = list(fail_lines)
        self.ending_lines = list(ending_lines)
        self.console = console
        self.kvm = kvm
        self.registers, self.registers_why = debug_registers() if kvm else (None, None)
        self.used = 0
        self.left_out = []
        self.has_counter = False
        self.summary_count = None
        self.count = 0
        self.stops = 0
        self.ended = False
        self.running = False
        self.breakpoints = []

    def remove(self):
        for breakpoint in self.breakpoints:
            if breakpoint.is_valid():
                breakpoint.delete()
        self.breakpoints = []

    def fits(self, breakpoint):
        """Under KVM, keeps a hardware stop only while debug registers are left."""
        if not self.kvm:
            return True
        needed = max(1, location_count(breakpoint))  # a watchpoint lists no locations
        if self.used + needed > self.registers:
            return False
        self.used += needed
        return True

    def set_counter_stops(self, counters):
        """Places the watchpoints, or line breakpoints, on the counters:
        (expression, symtab) pairs from failure_counters()."""
        self.has_counter = bool(counters)
        for expression, symtab in counters:
            if self.use_lines:
                path, lines = increment_lines(symtab)
                for line in lines:
                    breakpoint = FailureLineBreakpoint(path, line, expression, self,
                                                       hardware=self.kvm)
                    self.breakpoints.append(breakpoint)
                    breakpoint.check_own_code()
                    if not self.fits(breakpoint):
                        raise TooFewRegisters(self.too_few_registers(
                            "the places lib/report.c raises failures"))
            else:
                breakpoint = FailureWatch(expression, self)
                self.breakpoints.append(breakpoint)
                if not self.fits(breakpoint):
                    raise TooFewRegisters(self.too_few_registers("a watchpoint on each failures"))
        # A non-stopping read costs a debug register and a step under KVM: there the console's
        # SUMMARY line is read instead.
        if counters and not self.kvm and function_exists(SUMMARY_FUNCTION):
            self.breakpoints.append(SummaryReader(counters[0][0], self))

    def return_to_test(self, number):
        """Whether failure `number` stops where report() returns to the test
        instead of here: in an image without call frame information, gdb's
        guess of the test frame's registers may be wrong (ReturnToTest)."""
        frame = test_frame()
        image = frame is not None and frame_level(frame) > 0 and guessed_registers(frame)
        if not image:
            return False
        breakpoint = ReturnToTest(frame.pc(), number, image, hardware=self.kvm)
        if not self.fits(breakpoint):
            breakpoint.delete()
            return False
        self.breakpoints.append(breakpoint)
        return True

    def too_few_registers(self, what):
        return ("under KVM (QEMU's info kvm) only hardware breakpoints and watchpoints stop the "
                "guest, and %s need more than %s; run the test under TCG (ACCEL=tcg)"
                % (what, self.registers_why))

    def set_ending_stops(self, functions):
        """Breakpoints on the functions that exist, in priority order; under
        KVM, hardware ones while debug registers are left."""
        for function in functions:
            if not function_exists(function):
                continue
            breakpoint = EndingBreakpoint(function, self, hardware=self.kvm)
            if self.fits(breakpoint):
                self.breakpoints.append(breakpoint)
            else:
                breakpoint.delete()
                self.left_out.append(function)

    def ending_names(self):
        return [bp.function_name for bp in self.breakpoints if isinstance(bp, EndingBreakpoint)]

    def on_new_objfile(self, event):
        """gdb moves the breakpoints to symbols loaded again (kut-load after
        kut-break-fail), but disables those whose symbols vanished on the way."""
        for breakpoint in self.breakpoints:
            if breakpoint.is_valid() and not breakpoint.enabled:
                breakpoint.enabled = True

    def owns(self, breakpoints):
        return [bp for bp in breakpoints if any(bp is ours for ours in self.breakpoints)]

    def on_continue(self, event):
        if not own_run():
            self.running = True

    def on_stop(self, event):
        if own_run():
            return  # kut-why's stepping: the failures it passes are not the user's stops
        self.running = False
        # A replay may have gone back before the last failure: count again from here.
        self.breakpoints = [bp.renewed() if isinstance(bp, FailureWatch) and bp.is_valid()
                            else bp for bp in self.breakpoints]
        if not isinstance(event, gdb.BreakpointEvent):
            return
        ours = [bp for bp in self.owns(event.breakpoints) if not isinstance(bp, SummaryReader)]
        if not ours:
            return
        self.stops += 1
        try:
            if isinstance(ours[0], ReturnToTest):
                self.breakpoints.remove(ours[0])
                self.used -= 1 if self.kvm else 0
                self.report_failure(ours[0].failure_number(), returned_from=ours[0].image)
            elif isinstance(ours[0], (FailureWatch, FailureLineBreakpoint)):
                self.report_failure(ours[0].failure_number())
            else:
                self.report_ending(ours[0].function_name)
        except gdb.error as error:  # a guest's stack gdb cannot unwind or read: still stopped here
            say("stopped, but cannot show where: %s" % error)
