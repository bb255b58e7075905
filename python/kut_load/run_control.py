"""Running the guest from inside a command for a while: slices of wall-clock
time that gdb interrupts, the stop that ended a continue, and that stop in
words."""

import threading
import time

import gdb

from kut_load import breakpoints


class SliceTimer:
    """Interrupts the guest `seconds` after each start(), unless stop() came
    first: a slice that a breakpoint ended early leaves no interrupt behind
    to cut the next continue short, or the user's after the command."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.armed = None  # the token of the slice that may still be interrupted
        self.fired = False

    def start(self):
        token = object()
        self.armed, self.fired = token, False

        def fire():
            if self.armed is token:
                self.fired = True
                gdb.execute("interrupt")

        def wait():
            time.sleep(self.seconds)
            gdb.post_event(fire)
        threading.Thread(target=wait, daemon=True).start()

    def stop(self):
        self.armed = None

    def ended(self, event):
        """Whether this timer's interrupt made the stop event."""
        return (isinstance(event, gdb.SignalEvent) and self.fired
                and event.stop_signal == "SIGINT")


class LastStop:
    """The stop event of the latest continue, to tell why the guest stopped."""

    def __enter__(self):
        self.event = None
        gdb.events.stop.connect(self._record)
        return self

    def _record(self, event):
        self.event = event

    def __exit__(self, *exc):
        gdb.events.stop.disconnect(self._record)
        return False


def inferior_alive():
    return gdb.selected_inferior().pid != 0


def continue_until_stop(stops, ended):
    """Continues the guest until it stops; returns the stop event (stops: a
    LastStop). KutLoadError `ended` (an instance) where the guest ends meanwhile."""
    stops.event = None
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        if inferior_alive():
            raise
        raise ended from None
    if not inferior_alive():
        raise ended
    return stops.event


def what_stopped(event):
    """The stop, in words: 'breakpoint 2 (CoreLoadImage)', 'SIGSEGV', 'a stop'."""
    if isinstance(event, gdb.BreakpointEvent):
        user = [bp for bp in event.breakpoints if bp.number > 0]
        if user:
            return ", ".join("%s %d (%s)" % ("breakpoint" if bp.type in breakpoints.CODE_TYPES
                                             else "watchpoint", bp.number,
                                             bp.location or bp.expression) for bp in user)
    if isinstance(event, gdb.SignalEvent):
        return event.stop_signal
    return "a stop"
