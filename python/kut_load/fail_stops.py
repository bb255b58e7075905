"""What kut-break-fail sets in gdb, and what it says when the guest stops
there: the failure counter's watchpoint (or its lines' breakpoints), the
breakpoints where a test ends early, and the tracker that reports each stop."""

import re

import gdb

from . import fail_log
from .fail_frames import (exception_pc, frame_where, library_exception_pc, source_line,
                          test_frame, where)
from .loader import symbol_files
from .quoting import printable

COUNTER = "failures"
COUNTER_FILE = re.compile(r"(^|/)report\.c$")
INCREMENT = re.compile(r"\bfailures\s*(\+\+|\+=)|\+\+\s*failures\b")
# In stop order: the first that exists and is reached reports the test's end.
EXCEPTION_FUNCTIONS = ("bad_exception", "unhandled_exception", "show_regs")
ABORT_FUNCTIONS = ("report_abort", "abort")


def say(text):
    gdb.write("kut-break-fail: %s\n" % text)


def counter_expression(symtab, address):
    """How gdb names one copy of the counter: by its file, so that gdb moves
    the watchpoint when the symbols are loaded again (kut-load after
    kut-break-fail); by address where the file name cannot be quoted."""
    if symtab is not None and symtab.filename.isprintable() and "'" not in symtab.filename:
        return "'%s'::%s" % (symtab.filename, COUNTER)
    return "*(unsigned int *) %#x" % address


def failure_counters():
    """lib/report.c's `failures` (unsigned int) as (gdb expression, symtab)
    pairs: every static of that name in a file called report.c; without
    DWARF, the ELF symbol, with symtab None."""
    counters = {}
    for symbol in gdb.lookup_static_symbols(COUNTER):
        if symbol.symtab and COUNTER_FILE.search(symbol.symtab.filename):
            if symbol.type.sizeof != 4:
                raise gdb.GdbError("%s in %s is %d bytes, not the unsigned int of "
                                   "kvm-unit-tests' lib/report.c"
                                   % (COUNTER, printable(symbol.symtab.filename),
                                      symbol.type.sizeof))
            address = int(symbol.value().address)
            counters[address] = (counter_expression(symbol.symtab, address), symbol.symtab)
    if not counters:
        try:  # a tree built without DWARF still has the symbol
            address = int(gdb.parse_and_eval("(unsigned long) &'%s'" % COUNTER))
            counters[address] = (counter_expression(None, address), None)
        except gdb.error:
            raise gdb.GdbError(no_counter_message()) from None
    # Two copies of one ELF (loaded twice) name the same expression: watch it once.
    unique = {}
    for address in sorted(counters):
        unique.setdefault(counters[address][0], counters[address])
    return list(unique.values())


def no_counter_message():
    """Why there is no counter: no symbols loaded yet, or symbols of something
    that is not a kvm-unit-tests test."""
    files = [objfile.filename for objfile in symbol_files()]
    if not files:
        return ("no `failures` counter of lib/report.c: no symbols are loaded; "
                "load the test's ELF first (kut-load)")
    return ("no `failures` counter of kvm-unit-tests' lib/report.c in the loaded symbols "
            "(%s), so they are not a kvm-unit-tests test's; load the test's own ELF with "
            "kut-load" % ", ".join(printable(name) for name in files))


def increment_lines(symtab):
    """The lines of report.c that raise `failures` (kvm-unit-tests: `failures++;`)."""
    if symtab is None:
        raise gdb.GdbError("breakpoints on the lines that count failures need lib/report.c's "
                           "DWARF, and this ELF has none")
    path = symtab.fullname()
    try:
        with open(path, errors="replace") as source:
            lines = [number for number, text in enumerate(source, 1) if INCREMENT.search(text)]
    except OSError as error:
        raise gdb.GdbError("cannot read %s (%s); breakpoints on the lines that count failures "
                           "need the source" % (printable(path), error.strerror)) from None
    if not lines:
        raise gdb.GdbError("%s has no line that raises failures" % printable(path))
    return path, lines


def read_counter(expression):
    return int(gdb.parse_and_eval(expression))


def function_exists(name):
    """Whether gdb can break on name: a function, also one only ever inlined
    (kvm-unit-tests' static bad_exception and unhandled_exception at -O2)."""
    try:
        return bool(gdb.decode_line(name)[1])
    except gdb.error:
        return False


class FailureWatch(gdb.Breakpoint):
    """A write watchpoint on one copy of `failures`; stops when it grows to at
    least `first`."""

    def __init__(self, expression, tracker):
        super().__init__(expression, gdb.BP_WATCHPOINT, gdb.WP_WRITE, internal=True)
        self.silent = True  # the stop handler shows the test's frame instead of the counter's
        self.tracker = tracker
        self.last = int(gdb.parse_and_eval(self.expression))

    def stop(self):
        value = int(gdb.parse_and_eval(self.expression))
        grew = value > self.last  # the start code zeroing .bss is not a failure
        self.last = value
        self.tracker.count = max(self.tracker.count, value) if grew else value
        return grew and value >= self.tracker.first

    def failure_number(self):
        return self.last


class FailureLineBreakpoint(gdb.Breakpoint):
    """Without a hardware watchpoint: a breakpoint on a line of report.c that
    raises `failures`, at every place it was inlined; it stops before the
    increment, so this is failure counter + 1."""

    def __init__(self, path, line, counter, tracker):
        super().__init__(source=path, line=line, internal=True)
        self.silent = True
        self.counter = counter
        self.tracker = tracker
        self.number_seen = 0
        self.path = path
        self.line_number = line

    def check_own_code(self):
        """Optimised code may have no instruction of its own for the line: gdb
        would move the breakpoint to a line that every report reaches.
        (Breakpoint.locations is gdb 13's; older gdbs skip the check.)"""
        for location in getattr(self, "locations", ()):
            if location.source is not None and location.source[1] != self.line_number:
                raise gdb.GdbError("%s:%d has no code of its own in this build, so a breakpoint "
                                   "there would stop at every check; use the hardware watchpoint"
                                   % (printable(self.path), self.line_number))

    def stop(self):
        self.number_seen = read_counter(self.counter) + 1
        self.tracker.count = self.number_seen
        return self.number_seen >= self.tracker.first

    def failure_number(self):
        return self.number_seen


class EndingBreakpoint(gdb.Breakpoint):
    """A breakpoint on a function that ends the test; only the first that is
    reached stops (report_abort calls abort, bad_exception calls show_regs)."""

    def __init__(self, function, tracker):
        super().__init__("-function %s" % function, internal=True)
        self.silent = True  # the stop handler says why, and shows the frame that matters
        self.function_name = function
        self.tracker = tracker

    def stop(self):
        if self.tracker.ended:
            return False
        self.tracker.ended = True
        return True


class Tracker:
    """What kut-break-fail set up, and what it saw of the test so far."""

    def __init__(self, first, use_lines, log_name=None, fail_lines=(), ending_lines=(),
                 console=None):
        """first: the failure number to stop at first; use_lines: line
        breakpoints instead of a watchpoint; log_name, fail_lines and
        ending_lines: the log's (fail_log); console: the guest's console file."""
        self.first = first
        self.use_lines = use_lines
        self.log_name = log_name
        self.fail_lines = list(fail_lines)
        self.ending_lines = list(ending_lines)
        self.console = console
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

    def set_counter_stops(self, counters):
        """Places the watchpoints, or line breakpoints, on the counters:
        (expression, symtab) pairs from failure_counters()."""
        for expression, symtab in counters:
            if self.use_lines:
                path, lines = increment_lines(symtab)
                for line in lines:
                    breakpoint = FailureLineBreakpoint(path, line, expression, self)
                    self.breakpoints.append(breakpoint)
                    breakpoint.check_own_code()
            else:
                self.breakpoints.append(FailureWatch(expression, self))

    def on_new_objfile(self, event):
        """gdb moves the breakpoints to symbols loaded again (kut-load after
        kut-break-fail), but disables those whose symbols vanished on the way."""
        for breakpoint in self.breakpoints:
            if breakpoint.is_valid() and not breakpoint.enabled:
                breakpoint.enabled = True

    def owns(self, breakpoints):
        return [bp for bp in breakpoints if any(bp is ours for ours in self.breakpoints)]

    def on_continue(self, event):
        self.running = True

    def on_stop(self, event):
        self.running = False
        if not isinstance(event, gdb.BreakpointEvent):
            return
        ours = self.owns(event.breakpoints)
        if not ours:
            return
        self.stops += 1
        try:
            if isinstance(ours[0], (FailureWatch, FailureLineBreakpoint)):
                self.report_failure(ours[0].failure_number())
            else:
                self.report_ending(ours[0].function_name)
        except gdb.error as error:  # a guest's stack gdb cannot unwind or read: still stopped here
            say("stopped, but cannot show where: %s" % error)

    def report_failure(self, number):
        frame = test_frame()
        location = "at the check"
        if frame is not None:
            frame.select()
            location = "at the check in " + frame_where(frame)
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
        if frame is not None:
            gdb.execute("frame")

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
            faulting_line = source_line(pc) if pc is not None else None
            if faulting_line:
                gdb.write(faulting_line + "\n")
        else:
            what = ("report_abort()" if function == "report_abort"
                    else "abort() (an assert or abort)")
            caller = test_frame()
            if caller is not None:
                caller.select()
                say("the test ends in %s, called from %s" % (what, frame_where(caller)))
            else:
                say("the test ends in %s" % what)
            self.report_logged_ending()
        gdb.execute("frame")

    def report_logged_ending(self):
        if self.log_name is None:
            return
        if self.ending_lines:
            line = self.ending_lines[0]
            say("%s, log line %d: %s" % (self.log_name, line.line_number, printable(line.text)))
        else:
            say("%s has no ABORT, assert or unhandled exception line: the logged run did not "
                "end this way" % self.log_name)

    def on_exited(self, event):
        # A detach or kill while stopped ends the inferior too; only a running guest ends itself.
        if self.ended or not self.running:
            return
        self.running = False
        # Through some QEMU stubs a guest that powers off sends no exit status: the link just ends.
        end = "the test ran to its end" if hasattr(event, "exit_code") else "QEMU ended the session"
        if self.stops:
            say("%s: no further unexpected failure" % end)
        elif self.count and self.count < self.first:
            say("%s after %d unexpected failure%s, fewer than the %d asked for"
                % (end, self.count, "" if self.count == 1 else "s", self.first))
        else:
            say("%s: nothing failed (no unexpected failure, assert, abort or unhandled "
                "exception)" % end)
