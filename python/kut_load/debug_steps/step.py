"""kut-debug-step: one step of kut-debug's start-up script, in the words of
command_tables.KUT_DEBUG_STEP. A step of kut-debug's own that fails is its
error line and the end of the script; a command of the user's (--ex) that
fails is its error line, and the next step runs, as with gdb's -ex. Once the
guest has ended nothing more runs, and the end is one kut-debug line.
--end-of-batch ends gdb -batch with the status gdb gives: 1 if the last
step failed. No sourced-file error is left to gdb."""

import gdb

from kut_load import connection, reverse_hooks
from kut_load.command_line import UsageError, parse
from kut_load.command_tables import KUT_DEBUG_STEP
from kut_load.debug_steps import guest_end, stop
from kut_load.debug_steps.connect import connect
from kut_load.errors import KutLoadError

# gdb's error when a resume finds no debug register left for its hardware breakpoints: it
# warns "Could not insert hardware breakpoints" and fails with "Command aborted." (gdb 13,
# QEMU 7.2); QEMU 10 refuses the breakpoint itself, with EINVAL.
NO_DEBUG_REGISTER = ("hardware breakpoints", "Command aborted.", "Remote failure reply: 22")

# The step during which the guest ended, once it has.
_ended = []
# The step of kut-debug's that failed, once one has: the rest are not run.
_failed = []
# Whether the last step run failed: gdb -batch's exit status.
_last_failed = [False]


def actions(step):
    """{attribute: (what to run, the step in gdb's words)} of a parsed step's action."""
    return {"connect": (lambda: connect(step.connect), "target remote %s" % step.connect),
            "break_at": (lambda: stop.break_at(step.break_at), "break %s" % step.break_at),
            "continue_all": (stop.continue_every_cpu, "continue"),
            "ex": (lambda: gdb.execute(step.ex), step.ex),
            "command": (lambda: gdb.execute(step.command), step.command)}


def run(argv):
    """One step, argv as gdb splits kut-debug-step's argument."""
    step = parse(KUT_DEBUG_STEP, argv)
    if step.end_of_batch:
        if _last_failed[0]:
            gdb.execute("quit 1")
        return
    if step.console is not None:
        guest_end.follow_console(step.console)
    if step.replay_again is not None:
        guest_end.replay_end_note(step.replay_again)
        reverse_hooks.install()  # a replay: gdb's reverse commands, refused where QEMU hangs
    chosen = [(name, action) for name, action in actions(step).items() if getattr(step, name)]
    if len(chosen) > 1:
        raise UsageError("one step a line: %s; see 'help kut-debug-step'"
                         % " and ".join(name for name, _ in chosen))
    if chosen:
        name, (work, words) = chosen[0]
        run_step(work, words, users=name == "ex")


def run_step(work, words, users):
    """work(), the step gdb knows as words; users: a command of the user's (--ex)."""
    if _ended:
        gdb.write("kut-debug: not run, as the guest ended during '%s': %s\n" % (_ended[0], words))
        return
    if _failed:
        gdb.write("kut-debug: not run, as '%s' failed: %s\n" % (_failed[0], words))
        return
    _last_failed[0] = True
    was_live = gdb.selected_inferior().pid != 0
    try:
        work()
    except (gdb.error, gdb.GdbError, KutLoadError) as error:
        if connection.closed_by(error) and connection.ended(was_live):
            _ended.append(words)
            gdb.write("kut-debug: the guest ended during '%s': %s\n" % (words, error))
            guest_end.say_guest_debug_exception()
            return
        gdb.write("%s\n" % error, gdb.STDERR)
        if stop.code_is_read_only() and any(text in str(error) for text in NO_DEBUG_REGISTER):
            gdb.write("kut-debug: under KVM gdb's own stops (next or step over a call, finish, "
                      "until, advance) take a debug register each, as hbreak and watch do, and "
                      "none was left: delete a breakpoint or watchpoint of yours (info "
                      "breakpoints)\n")
        if not users:
            _failed.append(words)
        return
    _last_failed[0] = False
    if connection.ended(was_live):
        _ended.append(words)
        guest_end.say_guest_debug_exception()
