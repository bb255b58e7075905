"""What kut-break-fail sets in gdb, and what it says when the guest stops
there: the failure counter's watchpoint (or its lines' breakpoints), the
breakpoints where a test ends early, and the tracker that reports each stop."""

import re

import gdb

from kut_load import breakpoints
from kut_load.break_fail import log as fail_log
from kut_load.break_fail.frames import (LIBRARY_FILE, exception_pc, frame_where,
                                        guessed_registers, interrupted_test_frame,
                                        library_exception_pc, source_line, test_frame, where)
from kut_load.load.symbols import symbol_files
from kut_load.quoting import printable

COUNTER = "failures"
COUNTER_FILE = re.compile(r"(^|/)report\.c$")
INCREMENT = re.compile(r"\bfailures\s*(\+\+|\+=)|\+\+\s*failures\b")
# In stop order: the first that exists and is reached reports the test's end.
EXCEPTION_FUNCTIONS = ("bad_exception", "unhandled_exception", "show_regs")
ABORT_FUNCTIONS = ("report_abort", "abort")
# lib/report.c's last function: the counter read there is the test's own tally.
SUMMARY_FUNCTION = "report_summary"
# QEMU's `info kvm` (HMP): "kvm support: enabled" when the guest runs under KVM.
KVM_ENABLED = re.compile(r"^kvm support: enabled\b", re.M)
# report_summary's line: "SUMMARY: 13 tests, 6 unexpected failures, 1 skipped".
SUMMARY_LINE = re.compile(r"^SUMMARY: \d+ tests?\b(.*?)\r?$", re.M)
UNEXPECTED = re.compile(r"\b(\d+) unexpected failures?\b")
# Under KVM the gdb stub's hardware breakpoints and watchpoints are the host's debug
# registers: x86's DR0-DR3 for both; elsewhere the architecture's minimum is assumed.
DEBUG_REGISTERS = (("i386", 4, "x86's 4 debug registers"),
                   ("i8086", 4, "x86's 4 debug registers"),
                   ("aarch64", 2, "the 2 breakpoint registers every arm64 has"))
DEFAULT_DEBUG_REGISTERS = (2, "2 debug registers, assumed")


def say(text):
    gdb.write("kut-break-fail: %s\n" % text)


def under_kvm():
    """Whether the guest runs under KVM, from QEMU's monitor (`info kvm`); False
    under TCG and for a stub without QEMU's monitor."""
    try:
        text = gdb.execute("monitor info kvm", to_string=True)
    except gdb.error:
        return False
    return bool(KVM_ENABLED.search(text or ""))


def debug_registers():
    """(how many hardware stops KVM can have at once, the phrase saying why)."""
    name = gdb.selected_inferior().architecture().name()
    for prefix, count, why in DEBUG_REGISTERS:
        if name.startswith(prefix):
            return count, why
    return DEFAULT_DEBUG_REGISTERS


def summary_failures(text):
    """The unexpected failures of the last SUMMARY line in a console text, or
    None without one; a SUMMARY line that names none counts 0."""
    found = SUMMARY_LINE.findall(text)
    if not found:
        return None
    count = UNEXPECTED.search(found[-1])
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


def location_count(breakpoint):
    """How many addresses a breakpoint has (an inlined function: one per copy);
    each takes a debug register. 1 where this gdb cannot say."""
    locations = breakpoints.locations(breakpoint)
    return len(locations) if locations else 1


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
    return ("no `failures` counter of kvm-unit-tests' lib/report.c, nor its abort() or "
            "exception handlers, in the loaded symbols (%s), so they are not a kvm-unit-tests "
            "test's; load the test's own ELF with kut-load"
            % ", ".join(printable(name) for name in files))


def is_library_function(name):
    """Whether name is a function of kvm-unit-tests' lib/ (by its DWARF file;
    without DWARF, by the ELF symbol alone)."""
    try:
        sals = gdb.decode_line(name)[1]
    except gdb.error:
        return False
    for sal in sals or ():
        if sal.symtab is None or LIBRARY_FILE.search(sal.symtab.filename):
            return True
    return False


def counters_or_none():
    """failure_counters(), or [] for a kvm-unit-tests test that never calls
    report() (common/sieve.c): its ELF has lib/abort.c's abort() or an
    exception handler but no lib/report.c; anything else is refused."""
    try:
        return failure_counters()
    except gdb.GdbError:
        if any(is_library_function(name) for name in EXCEPTION_FUNCTIONS + ABORT_FUNCTIONS):
            return []
        raise


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
                raise gdb.GdbError("%s:%d has no code of its own in this build, so a breakpoint "
                                   "there would stop at every check; use the hardware watchpoint"
                                   % (printable(self.path), self.line_number))

    def stop(self):
        self.number_seen = read_counter(self.counter) + 1
        self.tracker.count = self.number_seen
        return self.number_seen >= self.tracker.first and \
            not self.tracker.return_to_test(self.number_seen)

    def failure_number(self):
        return self.number_seen


def show_frame(frame):
    """Selects frame (None: the one selected) with gdb's own `frame LEVEL`
    command and prints it: a front end over MI is told (=thread-selected)."""
    gdb.execute("frame %d" % frame.level() if frame is not None else "frame")


def returned_where(frame):
    """'FUNCTION at FILE:LINE' of the call that just returned to frame: the
    line of the instruction before its pc (gdb's rule for a caller's line)."""
    sal = gdb.find_pc_line(frame.pc() - 1)
    text = frame.function().print_name if frame.function() else (frame.name() or "??")
    if sal.symtab is not None:
        text += " at %s:%d" % (sal.symtab.filename, sal.line)
    return text


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


class Tracker:
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
                        raise gdb.GdbError(self.too_few_registers(
                            "the places lib/report.c raises failures"))
            else:
                breakpoint = FailureWatch(expression, self)
                self.breakpoints.append(breakpoint)
                if not self.fits(breakpoint):
                    raise gdb.GdbError(self.too_few_registers("a watchpoint on each failures"))
        # A non-stopping read costs a debug register and a step under KVM: there the console's
        # SUMMARY line is read instead.
        if counters and not self.kvm and function_exists(SUMMARY_FUNCTION):
            self.breakpoints.append(SummaryReader(counters[0][0], self))

    def return_to_test(self, number):
        """Whether failure `number` stops where report() returns to the test
        instead of here: in an image without call frame information, gdb's
        guess of the test frame's registers may be wrong (ReturnToTest)."""
        frame = test_frame()
        image = frame is not None and frame.level() > 0 and guessed_registers(frame)
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
        self.running = True

    def on_stop(self, event):
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

    def report_failure(self, number, returned_from=None):
        """returned_from: the image without call frame information when the
        guest stopped where report() returned to the test (ReturnToTest)."""
        frame = test_frame()
        location = "at the check"
        if frame is not None:
            location = "at the check in " + (
                frame_where(frame) if returned_from is None else returned_where(frame))
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
        guessed = returned_from is None and frame is not None and frame.level() > 0 and \
            guessed_registers(frame)
        if guessed:  # no debug register was left for the stop after report() returns
            say("%s has no call frame information (.eh_frame, .debug_frame with contents), so "
                "the values gdb shows in the test's frame #%d may be wrong: gdb guesses where "
                "report() kept the test's registers" % (printable(guessed), frame.level()))
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
