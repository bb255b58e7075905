"""kut-break-fail: stop the guest where a kvm-unit-tests test fails, in the
test's own frame. Imported at the first kut-break-fail (see commands.py).

Unexpected failures: a hardware watchpoint on the static `failures` counter of
lib/report.c. Every version of that file counts FAIL and XPASS there, and only
there, whatever the report functions are called and however they are inlined;
XFAIL, KFAIL, PASS and SKIP leave it alone, so the watchpoint never fires for
them. The end of a test: breakpoints on report_abort() and abort() (lib/report.c,
lib/abort.c; assert() calls abort()), and on the unhandled-exception paths:
bad_exception (lib/arm64/processor.c), unhandled_exception (lib/x86/desc.c) and
show_regs (called for an unhandled exception in lib/arm, lib/arm64, lib/riscv).
"""

import re

import gdb

from . import fail_log
from .quoting import printable

COUNTER = "failures"
COUNTER_FILE = re.compile(r"(^|/)report\.c$")
# In stop order: the first that exists and is reached reports the test's end.
EXCEPTION_FUNCTIONS = ("bad_exception", "unhandled_exception", "show_regs")
ABORT_FUNCTIONS = ("report_abort", "abort")
# kvm-unit-tests' library sources: lib/X.c and lib/ARCH/X.c, as the build names them.
LIBRARY_FILE = re.compile(r"(^|/)lib/([^/]+/)?[^/]+$")
LIBRARY_FUNCTIONS = frozenset(("va_report", "report", "report_xfail", "report_kfail",
                               "report_fail", "report_pass", "report_skip", "report_abort",
                               "abort", "assert_msg", "show_regs", "bad_exception",
                               "unhandled_exception", "do_handle_exception"))
# Where each architecture's exception frame (kvm-unit-tests' pt_regs or ex_regs) keeps the pc.
PC_FIELDS = ("pc", "rip", "epc", "nip")
ARM_PC_REGISTER = 15  # arm pt_regs: ARM_pc is uregs[15]


class UsageError(Exception):
    """The command line does not parse."""


def _say(text):
    gdb.write("kut-break-fail: %s\n" % text)


class _Options:
    def __init__(self):
        self.at = None
        self.log = None
        self.off = False
        self.help = False


def parse(argv):
    options = _Options()
    words = list(argv)
    while words:
        word = words.pop(0)
        if word in ("-h", "--help"):
            options.help = True
        elif word == "--off":
            options.off = True
        elif word in ("--at", "--log"):
            if not words:
                raise UsageError("%s needs a value; see 'help kut-break-fail'" % word)
            setattr(options, word[2:], words.pop(0))
        else:
            raise UsageError("unexpected argument %r; see 'help kut-break-fail'" % word)
    if options.at is not None and not options.at.isdigit() and options.log is None:
        raise UsageError("--at TEXT picks a FAIL line of a log: give --log LOG too")
    if options.at is not None and options.at.isdigit() and int(options.at) < 1:
        raise UsageError("--at counts from 1")
    return options


def failure_counter_addresses():
    """Addresses of lib/report.c's `failures` (unsigned int): every static of
    that name in a file called report.c; without DWARF, the ELF symbol."""
    addresses = set()
    for symbol in gdb.lookup_static_symbols(COUNTER):
        if symbol.symtab and COUNTER_FILE.search(symbol.symtab.filename):
            if symbol.type.sizeof != 4:
                raise gdb.GdbError("%s in %s is %d bytes, not the unsigned int of "
                                   "kvm-unit-tests' lib/report.c"
                                   % (COUNTER, symbol.symtab.filename, symbol.type.sizeof))
            addresses.add(int(symbol.value().address))
    if not addresses:
        try:  # a tree built without DWARF still has the symbol
            addresses.add(int(gdb.parse_and_eval("(unsigned long) &'%s'" % COUNTER)))
        except gdb.error:
            raise gdb.GdbError("no `failures` counter of lib/report.c in the loaded symbols; "
                               "load the test's ELF first (kut-load)") from None
    return sorted(addresses)


def function_exists(name):
    """Whether gdb can break on name: a function, also one only ever inlined
    (kvm-unit-tests' static bad_exception and unhandled_exception at -O2)."""
    try:
        return bool(gdb.decode_line(name)[1])
    except gdb.error:
        return False


def is_library_frame(frame):
    function = frame.function()
    if function is None:
        return frame.name() in LIBRARY_FUNCTIONS
    if function.name in LIBRARY_FUNCTIONS:
        return True
    return bool(function.symtab and LIBRARY_FILE.search(function.symtab.filename))


def test_frame():
    """The innermost frame with source outside the test library, or None."""
    frame = gdb.newest_frame()
    while frame is not None:
        if frame.function() is not None and not is_library_frame(frame):
            return frame
        try:
            frame = frame.older()
        except gdb.error:  # unwinding through an exception entry can fail
            return None
    return None


def where(pc):
    """'FUNCTION at FILE:LINE' for a code address, as far as symbols tell."""
    line = gdb.find_pc_line(pc)
    block = None
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        pass
    function = block.function if block is not None else None
    while block is not None and function is None:
        block = block.superblock
        function = block.function if block is not None else None
    text = "%#x" % pc
    if function is not None:
        text += " in %s" % function.print_name
    if line.symtab is not None:
        text += " at %s:%d" % (line.symtab.filename, line.line)
    return text


def frame_where(frame):
    """'FUNCTION at FILE:LINE' for a frame; a caller's line is its call's."""
    sal = frame.find_sal()
    text = frame.function().print_name if frame.function() else (frame.name() or "??")
    if sal.symtab is not None:
        text += " at %s:%d" % (sal.symtab.filename, sal.line)
    return text


def source_line(pc):
    """The source text of pc's line, as gdb's `list` shows it, or None."""
    line = gdb.find_pc_line(pc)
    if line.symtab is None or line.line < 1:
        return None
    try:
        with open(line.symtab.fullname(), errors="replace") as source:
            for number, text in enumerate(source, 1):
                if number == line.line:
                    return "%d\t%s" % (number, text.rstrip("\n"))
    except OSError:
        pass
    return None


def exception_pc(frame):
    """The pc the exception interrupted, from the `regs` argument of the
    exception handler (kvm-unit-tests' pt_regs or ex_regs), or None."""
    try:
        regs = frame.read_var("regs").dereference()
        fields = {field.name for field in regs.type.strip_typedefs().fields()}
        for name in PC_FIELDS:
            if name in fields:
                return int(regs[name])
        if "uregs" in fields:
            return int(regs["uregs"][ARM_PC_REGISTER])
    except (gdb.error, ValueError, RuntimeError):
        pass
    return None


class FailureWatch(gdb.Breakpoint):
    """A write watchpoint on one copy of `failures`; stops when it grows to at
    least `first`."""

    def __init__(self, address, tracker):
        super().__init__("*(unsigned int *) %#x" % address, gdb.BP_WATCHPOINT, gdb.WP_WRITE,
                         internal=True)
        self.silent = True  # the stop handler shows the test's frame instead of the counter's
        self.tracker = tracker
        self.last = int(gdb.parse_and_eval(self.expression))

    def stop(self):
        value = int(gdb.parse_and_eval(self.expression))
        grew = value > self.last  # the start code zeroing .bss is not a failure
        self.last = value
        self.tracker.count = max(self.tracker.count, value) if grew else value
        return grew and value >= self.tracker.first


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

    def __init__(self, first, fail_lines, log_name):
        self.first = first
        self.fail_lines = fail_lines
        self.log_name = log_name
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
        if isinstance(ours[0], FailureWatch):
            self.report_failure(ours[0].last)
        else:
            self.report_ending(ours[0].function_name)

    def report_failure(self, number):
        frame = test_frame()
        location = "at the check"
        if frame is not None:
            frame.select()
            location = "at the check in " + frame_where(frame)
        _say("unexpected failure %d (FAIL or XPASS), %s" % (number, location))
        if self.log_name is not None:
            if 1 <= number <= len(self.fail_lines):
                line = self.fail_lines[number - 1]
                _say("%s, FAIL line %d of %d (log line %d): %s"
                     % (self.log_name, line.number, len(self.fail_lines), line.line_number,
                        printable(line.text)))
            else:
                _say("%s has only %d FAIL line%s: this run fails where the logged one did not"
                     % (self.log_name, len(self.fail_lines),
                        "" if len(self.fail_lines) == 1 else "s"))
        if frame is not None:
            gdb.execute("frame")

    def report_ending(self, function):
        frame = gdb.newest_frame()
        if function in EXCEPTION_FUNCTIONS:
            pc = exception_pc(frame)
            where_text = where(pc) if pc is not None else "an unknown pc (no regs to read)"
            _say("unexpected exception (stopped in %s); it was taken at %s" % (function, where_text))
            faulting_line = source_line(pc) if pc is not None else None
            if faulting_line:
                gdb.write(faulting_line + "\n")
            gdb.execute("frame")
            return
        what = "report_abort()" if function == "report_abort" else "abort() (an assert or abort)"
        caller = test_frame()
        if caller is not None:
            caller.select()
            _say("the test ends in %s, called from %s" % (what, frame_where(caller)))
            gdb.execute("frame")
        else:
            _say("the test ends in %s" % what)
            gdb.execute("frame")

    def on_exited(self, event):
        # A detach or kill while stopped also ends the inferior: only a guest that was running ended by itself.
        if self.ended or not self.running:
            return
        self.running = False
        # A guest that powers off sends no exit status through some QEMU stubs: the connection just ends.
        end = "the test ran to its end" if hasattr(event, "exit_code") else "QEMU ended the session"
        if self.stops:
            _say("%s: no further unexpected failure" % end)
        elif self.count and self.count < self.first:
            _say("%s after %d unexpected failure%s, fewer than the %d asked for"
                 % (end, self.count, "" if self.count == 1 else "s", self.first))
        else:
            _say("%s: nothing failed (no unexpected failure, assert, abort or unhandled "
                 "exception)" % end)


_ARMED = None


def disarm():
    global _ARMED
    if _ARMED is not None:
        _ARMED.remove()
        gdb.events.cont.disconnect(_ARMED.on_continue)
        gdb.events.stop.disconnect(_ARMED.on_stop)
        gdb.events.exited.disconnect(_ARMED.on_exited)
        _ARMED = None


def arm(options):
    global _ARMED
    fail_lines, log_name, first = [], None, 1
    if options.log is not None:
        fail_lines = fail_log.read_fail_lines(options.log)
        log_name = printable(options.log)
        chosen = fail_log.choose(fail_lines, options.at, log_name)
        if chosen is not None:
            first = chosen.number
    elif options.at is not None:
        first = int(options.at)
    addresses = failure_counter_addresses()
    disarm()
    tracker = Tracker(first, fail_lines, log_name)
    try:
        for address in addresses:
            watch = FailureWatch(address, tracker)
            tracker.breakpoints.append(watch)
            if watch.type != gdb.BP_HARDWARE_WATCHPOINT:
                raise gdb.GdbError("gdb would watch `failures` in software, single-stepping the "
                                   "guest; allow hardware watchpoints (set "
                                   "can-use-hw-watchpoints 1)")
        for function in EXCEPTION_FUNCTIONS + ABORT_FUNCTIONS:
            if function_exists(function):
                tracker.breakpoints.append(EndingBreakpoint(function, tracker))
    except BaseException:
        tracker.remove()
        raise
    gdb.events.cont.connect(tracker.on_continue)
    gdb.events.stop.connect(tracker.on_stop)
    gdb.events.exited.connect(tracker.on_exited)
    _ARMED = tracker
    stops = [bp.function_name for bp in tracker.breakpoints if isinstance(bp, EndingBreakpoint)]
    target = ("unexpected failure %d" % first) if first > 1 else "the first unexpected failure"
    _say("the guest stops at %s (a hardware watchpoint on lib/report.c's failures), then at "
         "each one after it, and at %s" % (target, ", ".join(stops) or "nothing else"))
    if log_name is not None and not fail_lines:
        _say("%s has no FAIL line: the test passed when it was logged" % log_name)
    if log_name is not None and fail_lines and first <= len(fail_lines):
        line = fail_lines[first - 1]
        _say("stopping first at %s's FAIL line %d of %d (log line %d): %s"
             % (log_name, line.number, len(fail_lines), line.line_number, printable(line.text)))


def invoke(argument):
    try:
        options = parse(gdb.string_to_argv(argument))
        if options.help:
            gdb.execute("help kut-break-fail")
        elif options.off:
            disarm()
            _say("off")
        else:
            arm(options)
    except (UsageError, fail_log.FailLogError) as error:
        raise gdb.GdbError(str(error)) from None
