"""What kut-break-fail says when the guest stops at one of its stops: the
failure and its FAIL line, or the test's end, with the frame that matters."""

import gdb

from kut_load.break_fail import log as fail_log
from kut_load.break_fail.frames import (exception_pc, frame_where, guessed_registers,
                                        interrupted_test_frame, library_exception_pc, source_line,
                                        test_frame, where)
from kut_load.break_fail.library import EXCEPTION_FUNCTIONS
from kut_load.break_fail.say import say
from kut_load.quoting import printable
from kut_load.session import frame_level


def show_frame(frame):
    """Selects frame (None: the one selected) with gdb's own `frame LEVEL`
    command and prints it: a front end over MI is told (=thread-selected)."""
    gdb.execute("frame %d" % frame_level(frame) if frame is not None else "frame")


def called_from(name, limit=8):
    """Whether one of the `limit` innermost frames is the function name."""
    frame = gdb.newest_frame()
    for _ in range(limit):
        if frame is None:
            return False
        if frame.name() == name:
            return True
        try:
            frame = frame.older()
        except gdb.error:
            return False
    return False


class StopReports:
    """Tracker's words at each of its stops (a part of Tracker, stops.py)."""

    def report_failure(self, number, returned_from=None):
        """returned_from: the image without call frame information when the
        guest stopped where report() returned to the test (ReturnToTest)."""
        frame = test_frame()
        location = "at the check"
        if frame is not None:
            location = "at the check in " + frame_where(frame, returned=returned_from is not None)
        say("unexpected failure %d (FAIL or XPASS), %s" % (number, location))
        if self.log_name is not None:
            if 1 <= number <= len(self.fail_lines):
                line = self.fail_lines[number - 1]
                say("%s, FAIL line %d of %d (log line %d): %s"
                    % (self.log_name, line.number, len(self.fail_lines), line.line_number,
                       printable(line.text)))
            else:
                has = ("no FAIL line" if not self.fail_lines else "only %d FAIL line%s" % (
                    len(self.fail_lines), "" if len(self.fail_lines) == 1 else "s"))
                say("%s has %s: this run fails where the logged one did not"
                    % (self.log_name, has))
        self.report_console_line(number)
        guessed = returned_from is None and frame is not None and frame_level(frame) > 0 and \
            guessed_registers(frame)
        if guessed:  # no debug register was left for the stop after report() returns
            say("%s has no call frame information (.eh_frame, .debug_frame with contents), so "
                "the values gdb shows in the test's frame #%d may be wrong: gdb guesses where "
                "report() kept the test's registers" % (printable(guessed), frame_level(frame)))
        if returned_from is not None:
            say("%s has no call frame information (.eh_frame, .debug_frame with contents), so "
                "gdb guesses where each callee kept its caller's registers: the guest stopped "
                "where report() returned to the test, whose frame #0 shows the guest's values; "
                "the values gdb shows in the frames above #0 may be wrong"
                % printable(returned_from))
        if frame is not None:
            show_frame(frame)

    def report_console_line(self, number):
        """This run's own FAIL line from the console file: lib/report.c prints
        it before counting it, so it is there when the counter changes."""
        if self.console is None:
            return
        try:
            printed = fail_log.read_fail_lines(self.console)
        except fail_log.FailLogError:
            return
        if number > len(printed):
            return
        text = printed[number - 1].text
        logged = self.fail_lines[number - 1].text if number <= len(self.fail_lines) else None
        if logged is None:
            say("this run printed: %s" % printable(text))
        elif text == logged:
            say("this run printed the same line")
        else:
            say("this run printed another line, so it fails elsewhere than the logged run: %s"
                % printable(text))

    def report_ending(self, function):
        pc = None
        if function in EXCEPTION_FUNCTIONS:
            pc = exception_pc(gdb.newest_frame())
        else:  # a handler that reports through report_abort() or abort() (lib/powerpc, lib/s390x)
            pc = library_exception_pc()
        if function in EXCEPTION_FUNCTIONS or pc is not None:
            where_text = where(pc) if pc is not None else "an unknown pc (no regs to read)"
            say("unexpected exception (stopped in %s); it was taken at %s" % (function, where_text))
            self.report_logged_ending()
            # The test's frame, with its values as the exception left them.
            shown = interrupted_test_frame(pc) if pc is not None else None
            faulting_line = source_line(pc) if pc is not None and shown is None else None
            if faulting_line:
                gdb.write(faulting_line + "\n")
        else:
            # Under KVM report_abort may have no breakpoint of its own: abort() below it stops.
            what = ("report_abort()" if function == "report_abort" or called_from("report_abort")
                    else "abort() (an assert or abort)")
            caller = shown = test_frame()
            if caller is not None:
                say("the test ends in %s, called from %s" % (what, frame_where(caller)))
            else:
                say("the test ends in %s" % what)
            self.report_logged_ending()
        show_frame(shown)

    def report_logged_ending(self):
        if self.log_name is None:
            return
        if self.ending_lines:
            line = self.ending_lines[0]
            say("%s, log line %d: %s" % (self.log_name, line.line_number, printable(line.text)))
        else:
            say("%s has no ABORT, assert or unhandled exception line: the logged run did not "
                "end this way" % self.log_name)
