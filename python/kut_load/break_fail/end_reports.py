"""What kut-break-fail says once the guest has ended: how far the test got,
as far as the guest's own count (report_summary, its SUMMARY line) shows."""

from kut_load.break_fail.log import console_failures, last_console_line
from kut_load.break_fail.say import say
from kut_load.break_fail.stop_points import SummaryReader
from kut_load.quoting import printable


class EndReports:
    """Tracker's words at the guest's end (a part of Tracker, stops.py)."""

    def on_exited(self, event):
        # A detach or kill while stopped ends the inferior too; only a running guest ends itself.
        if self.ended or not self.running:
            return
        self.running = False
        # Through some QEMU stubs a guest that powers off sends no exit status: the link just ends.
        code = getattr(event, "exit_code", None)
        quit_how = ("QEMU ended the session" if code is None
                    else "QEMU exited with status %d" % code)
        if self.counted()[0] is None and any(isinstance(bp, SummaryReader)
                                             for bp in self.breakpoints):
            say(self.unfinished_text(quit_how))
            return
        # Only the guest's own count (report_summary, its SUMMARY line) shows it reached its end.
        if not self.has_counter:
            end = "QEMU ended the session"
        elif self.counted()[0] is not None:
            end = "the test ran to its end"
        else:
            end = quit_how
        say(self.ending_text(end))

    def unfinished_text(self, quit_how):
        """A run that ended before report_summary: how it ended, as far as seen."""
        stopped = (" after %d stop%s" % (self.stops, "" if self.stops == 1 else "s")
                   if self.stops else "")
        console = ("no --console FILE (the file of -serial file:FILE) was given"
                   if self.console is None else "the console file has no SUMMARY line")
        last = last_console_line(self.console)
        return ("the test did not reach its end: %s%s before report_summary, and %s%s"
                % (quit_how, stopped, console,
                   "; its last line: %s" % printable(last) if last else ""))

    def counted(self):
        """(the test's own count of unexpected failures, where it was read), or
        (None, None): the counter at report_summary, or the console's SUMMARY line."""
        if self.summary_count is not None:
            return self.summary_count, "failures at report_summary"
        if self.console is not None:
            count = console_failures(self.console)
            if count is not None:
                return count, "its SUMMARY line"
        return None, None

    def ending_text(self, end):
        """What is known about the run once the guest has ended: never that
        nothing failed unless the guest's own count says so."""
        counted, source = self.counted() if self.has_counter else (None, None)
        missed = ""
        if self.left_out:
            missed = " (not watched: %s)" % ", ".join(self.left_out)
        if not self.has_counter:
            return ("%s without an assert, abort or unhandled exception%s; it has no report() "
                    "checks to fail" % (end, missed))
        if counted is None:
            stopped = ("after %d stop%s, " % (self.stops, "" if self.stops == 1 else "s")
                       if self.stops else "")
            if self.kvm:  # no report_summary read under KVM: it would take a debug register
                why = "under KVM it reads that from the console's SUMMARY line, and "
            else:
                why = "the test did not reach report_summary, and "
            why += ("no --console FILE (the file of -serial file:FILE) was given"
                    if self.console is None else "the console file has no SUMMARY line")
            return ("%s %swithout kut-break-fail reading how many checks failed: %s%s"
                    % (end, stopped, why, missed))
        if counted >= self.first and self.count < counted:
            seen = max(0, self.count - self.first + 1)
            advice = ("run it under TCG (ACCEL=tcg) to stop at each" if self.kvm else
                      "kut-break-fail --breakpoints stops at them without the watchpoint"
                      if not self.use_lines else "the line breakpoints did not stop")
            return ("%s: it counted %d unexpected failure%s (%s), but kut-break-fail stopped at "
                    "%s of them%s; %s"
                    % (end, counted, "" if counted == 1 else "s", source,
                       "only %d" % seen if seen else "none", " under KVM" if self.kvm else "",
                       advice))
        if self.stops:
            return "%s: no further unexpected failure" % end
        if counted and counted < self.first:
            return ("%s after %d unexpected failure%s, fewer than the %d asked for"
                    % (end, counted, "" if counted == 1 else "s", self.first))
        return ("%s: nothing failed (no unexpected failure, assert, abort or unhandled "
                "exception%s)" % (end, missed))
