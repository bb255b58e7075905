"""kut-break-fail: stop the guest where a kvm-unit-tests test fails, in the
test's own frame. Imported at the first kut-break-fail (see gdb_commands.py).

Unexpected failures: a hardware watchpoint on the static `failures` counter of
lib/report.c. Every version of that file counts FAIL and XPASS there, and only
there, whatever the report functions are called and however they are inlined;
XFAIL, KFAIL, PASS and SKIP leave it alone, so the watchpoint never fires for
them. Where gdb may not use a hardware watchpoint (or with --breakpoints):
breakpoints on the source lines that raise the counter. The end of a test:
breakpoints on report_abort() and abort() (lib/report.c, lib/abort.c; assert()
calls abort()), and on the unhandled-exception paths: bad_exception
(lib/arm64/processor.c), unhandled_exception (lib/x86/desc.c) and show_regs
(called for an unhandled exception in lib/arm, lib/arm64 and lib/riscv).
lib/powerpc's and lib/s390x's handlers call abort(); the pc is then read from
the handler's frame below it (fail_frames).
"""

import gdb

from kut_load.break_fail import log as fail_log
from kut_load.command_tables import KUT_BREAK_FAIL
from kut_load.break_fail.library import (ABORT_FUNCTIONS, EXCEPTION_FUNCTIONS,
                                         counters_or_none, function_exists)
from kut_load.break_fail.say import say
from kut_load.break_fail.stops import Tracker
from kut_load.session import qemu_major, under_kvm
from kut_load.errors import KutLoadError
from kut_load import arches, breakpoints, command_line, session
from kut_load.command_line import UsageError
from kut_load.quoting import printable


class GuestMemoryError(KutLoadError):
    """gdb could not read the guest's memory: the guest ended, QEMU is gone,
    or nothing is mapped there."""


def parse(argv):
    """kut-break-fail's options from argv (split by gdb.string_to_argv), by
    its option table: .at, .log, .console (None or the text given) and .off,
    .breakpoints, .help; UsageError if wrong."""
    options = command_line.parse(KUT_BREAK_FAIL, argv)
    if options.at is not None and not options.at.isdigit() and options.log is None:
        raise UsageError("--at TEXT picks a FAIL line of a log: give --log LOG too")
    if options.at is not None and options.at.isdigit() and int(options.at) < 1:
        raise UsageError("--at counts from 1")
    return options


_ARMED = None


def disarm():
    """Removes what kut-break-fail set, if anything."""
    global _ARMED
    if _ARMED is not None:
        _ARMED.remove()
        gdb.events.cont.disconnect(_ARMED.on_continue)
        gdb.events.stop.disconnect(_ARMED.on_stop)
        gdb.events.exited.disconnect(_ARMED.on_exited)
        gdb.events.new_objfile.disconnect(_ARMED.on_new_objfile)
        _ARMED = None


def watchpoint_hits_unreported():
    """Whether the target reports a watchpoint hit as a plain SIGTRAP that gdb
    cannot match to the watchpoint (arches.py's watchpoint_hits_reported), or
    reports none at all: QEMU 5.2 replaying a recording (7.2 reports them)."""
    arch = arches.of_gdb(gdb.selected_inferior().architecture().name())
    if arch is not None and not arch.watchpoint_hits_reported:
        return True
    return replaying_on_qemu_before(7)


def replaying_on_qemu_before(major):
    """Whether QEMU replays a recording (its monitor's info replay) and is
    older than major (info version)."""
    replay = session.monitor("info replay") or ""
    version = qemu_major()
    return replay.startswith("Replaying") and version is not None and version < major


def arm(options):
    """Sets the watchpoint (or line breakpoints) and the ending breakpoints;
    on any error, nothing stays set."""
    global _ARMED
    fail_lines, ending_lines, log_name, first = [], [], None, 1
    if options.log is not None:
        log_text = fail_log.read_log(options.log)
        fail_lines = fail_log.fail_lines(log_text)
        ending_lines = fail_log.ending_lines(log_text)
        log_name = printable(options.log)
        chosen = fail_log.choose(fail_lines, options.at, log_name)
        if chosen is not None:
            first = chosen.number
    elif options.at is not None:
        first = int(options.at)
    counters = counters_or_none()
    kvm = under_kvm()
    if kvm:  # refused before anything changes where gdb cannot make hardware breakpoints
        breakpoints.code_type(True, "kut-break-fail under KVM")
    disarm()
    # gdb would watch in software, single-stepping the whole guest: far too slow.
    asked_lines = (options.breakpoints or gdb.parameter("can-use-hw-watchpoints") == 0
                   or watchpoint_hits_unreported())
    tracker = None
    try:
        # Under KVM, hardware breakpoints are the stops known to stop; the watchpoint stands in
        # where the lines cannot be had.
        for use_lines in ([True, False] if kvm and not asked_lines else [asked_lines]):
            tracker = Tracker(first, use_lines, log_name, fail_lines, ending_lines,
                              options.console, kvm)
            try:
                tracker.set_counter_stops(counters)
                break
            except KutLoadError:
                tracker.remove()
                if not use_lines or not kvm or asked_lines:
                    raise
        tracker.set_ending_stops(ending_priority() if kvm else
                                 EXCEPTION_FUNCTIONS + ABORT_FUNCTIONS)
    except BaseException:
        if tracker is not None:
            tracker.remove()
        raise
    gdb.events.cont.connect(tracker.on_continue)
    gdb.events.stop.connect(tracker.on_stop)
    gdb.events.exited.connect(tracker.on_exited)
    gdb.events.new_objfile.connect(tracker.on_new_objfile)
    _ARMED = tracker
    stops = ", ".join(tracker.ending_names()) or "nothing else"
    if not counters:
        say("the test has no report() checks (its ELF has no lib/report.c failures counter), so "
            "the guest stops only where it ends early: at %s" % stops)
    else:
        target = ("unexpected failure %d" % first) if first > 1 else "the first unexpected failure"
        kind = "hardware breakpoints" if kvm else "breakpoints"
        how = ("%s on the lines of lib/report.c that raise failures" % kind if tracker.use_lines
               else "a hardware watchpoint on lib/report.c's failures")
        say("the guest stops at %s (%s), then at each one after it, and at %s"
            % (target, how, stops))
    if kvm:
        say("under KVM (QEMU's info kvm) a software breakpoint does not stop the guest, so these "
            "are hardware ones, using %d of %s%s"
            % (tracker.used, tracker.registers_why,
               "; no register left for " + ", ".join(tracker.left_out) if tracker.left_out
               else ""))
    if log_name is not None and not fail_lines and not ending_lines:
        say(no_fail_line(log_name, log_text))
    if log_name is not None and fail_lines and first <= len(fail_lines):
        line = fail_lines[first - 1]
        say("stopping first at %s's FAIL line %d of %d (log line %d): %s"
            % (log_name, line.number, len(fail_lines), line.line_number, printable(line.text)))


def no_fail_line(log_name, log_text):
    """What a log without a FAIL line says of its run: only its SUMMARY line says
    the test passed; QEMU's own last lines say what else ended it."""
    end = fail_log.logged_end(log_text)
    if end is not None:
        return ("%s has no FAIL line: %s; this run goes on until it reaches one of the stops "
                "above or ends, or you interrupt it (Ctrl-C)" % (log_name, end))
    if fail_log.summarized(log_text):
        return "%s has no FAIL line: the test passed when it was logged" % log_name
    return ("%s has no FAIL line and no SUMMARY line: the logged run ended before the test's "
            "end, and the log does not say why; this run goes on until it reaches one of the "
            "stops above or ends, or you interrupt it (Ctrl-C)" % log_name)


def ending_priority():
    """The ending functions in the order debug registers go to them: the
    exception path first, then abort() (report_abort() and assert() call it)."""
    exceptions = [name for name in EXCEPTION_FUNCTIONS if function_exists(name)]
    return exceptions[:1] + ["abort"] + exceptions[1:] + ["report_abort"]


def run(argv):
    """Runs kut-break-fail on argv (gdb.string_to_argv's words); its errors
    reach the user through gdb_commands.run_command."""
    try:
        options = parse(argv)
        if options.help:
            gdb.execute("help kut-break-fail")
        elif options.off:
            disarm()
            say("off")
        else:
            arm(options)
    except gdb.MemoryError as error:
        raise GuestMemoryError(memory_sentence(error)) from None


def memory_sentence(error):
    """gdb's refused read, and why when no guest is connected."""
    if gdb.selected_inferior().pid != 0:
        return str(error)
    # gdb reads an exited guest's counter from the ELF file, where a PIE has no memory.
    return ("no guest is connected (%s): the test has ended or QEMU is gone; start it again, "
            "'target remote' and kut-load, then kut-break-fail" % str(error).rstrip("."))
