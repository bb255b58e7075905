"""What kut-debug says where the guest or the replay ends: the debug
exception the guest took itself (from its console file), and how to replay
a recorded run again."""

import re

import gdb

from kut_load.session import own_run

# What the guest prints when it takes a debug exception itself (lib/x86/desc.c).
GUEST_DEBUG_EXCEPTION = re.compile(r"^Unhandled exception 1 #DB\b.*$", re.M)

# The guest's console file, once kut-debug has named it (--console).
_console = [None]


def follow_console(path):
    """The guest's console file, read where the guest ends."""
    _console[0] = path


def say_guest_debug_exception():
    """One line when the guest's console shows it took a debug exception
    itself: some QEMU and KVM pairs (QEMU 5.2 under a nested KVM, seen) give
    the guest the #DB of gdb's hardware breakpoint, and the test then ends."""
    if _console[0] is None:
        return
    try:
        with open(_console[0], errors="replace") as console:
            taken = GUEST_DEBUG_EXCEPTION.search(console.read())
    except OSError:
        return
    if taken:
        gdb.write("kut-debug: the guest took the debug exception of a hardware breakpoint "
                  "itself (its console: %s): this QEMU under this host's KVM gives it to the "
                  "guest, not to gdb; run the test under TCG (ACCEL=tcg)\n"
                  % taken.group(0).strip())


def replay_end_note(replay_again):
    """Once the replay ends with the guest (the recorded run powered off),
    one line says that nothing goes back from there and how to replay the
    run again: QEMU's replay ends the session at the recording's end (QEMU
    7.2 aborts on a reverse step from a powered-off guest)."""
    running = []  # a detach or kill while stopped ends the inferior too: not the replay's end

    def on_continue(_event):
        running[:] = [True]

    def on_stop(_event):
        running[:] = []

    def on_exited(_event):
        if not running or own_run():
            return
        for event, handler in ((gdb.events.exited, on_exited), (gdb.events.cont, on_continue),
                               (gdb.events.stop, on_stop)):
            event.disconnect(handler)
        gdb.write("kut-debug: the replay reached the end of the recorded run, where QEMU "
                  "ended it, so nothing goes back from here; `%s` replays the same run "
                  "again\n" % replay_again)
    gdb.events.cont.connect(on_continue)
    gdb.events.stop.connect(on_stop)
    gdb.events.exited.connect(on_exited)
