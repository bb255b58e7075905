"""Moving through QEMU's replay of a recorded run for kut-why: whether QEMU
replays, where in the run the guest is (QEMU's instruction count), going
back and forth quietly, and coming back to where the user stood."""

import re

import gdb

from kut_load import arches
from kut_load.errors import KutLoadError

# QEMU's `info replay`: "Replaying execution 'F': instruction count = 16777165".
INSTRUCTION_COUNT = re.compile(r"instruction count = (\d+)")
# gdb's words where a replay has nothing more that way.
NO_HISTORY = "No more reverse-execution history"
# Tries at reaching an instruction count through a breakpoint at its pc.
RETURN_TRIES = 64


class ReplayError(KutLoadError):
    """kut-why could not move through the replay; str() says where."""


def monitor(command):
    try:
        return gdb.execute("monitor " + command, to_string=True) or ""
    except gdb.error:
        return ""


def replaying():
    """Whether the guest runs in QEMU's replay of a recording (info replay)."""
    return monitor("info replay").startswith("Replaying")


def reverse_refusal():
    """Why QEMU cannot go back on this guest's architecture (arches.py's
    reverse), or None."""
    name = gdb.selected_inferior().architecture().name()
    arch = arches.of_gdb(name)
    if arch is not None and arch.reverse:
        return None
    return ("QEMU's reverse execution never returns on %s (its reverse-stepi hangs, QEMU 7.2 "
            "and 10.0), so kut-why goes back on arm and arm64 only" % name)


def instruction_count():
    """QEMU's count of the replay's instructions so far, or None."""
    found = INSTRUCTION_COUNT.search(monitor("info replay"))
    return int(found.group(1)) if found else None


def run(command):
    """Runs a gdb stepping command quietly; False where the replay has no
    history that way (gdb's "No more reverse-execution history")."""
    try:
        said = gdb.execute(command, to_string=True) or ""
    except gdb.error as error:
        if NO_HISTORY in str(error) or "not running" in str(error):
            return False
        raise ReplayError("%s stopped with gdb's error: %s" % (command, error)) from None
    return NO_HISTORY not in said


class BreakpointsOff:
    """A context in which no breakpoint or watchpoint of the session stops
    the guest; each is enabled again after, as it was."""

    def __enter__(self):
        self.enabled = [point for point in (gdb.breakpoints() or ()) if point.enabled]
        for point in self.enabled:
            point.enabled = False
        return self

    def __exit__(self, *exception):
        for point in self.enabled:
            if point.is_valid():
                point.enabled = True
        return False


class Place:
    """Where the guest is in the replay: its pc, QEMU's instruction count,
    and the level of the frame the user selected."""

    def __init__(self):
        self.pc = gdb.newest_frame().pc()
        self.count = instruction_count()
        self.level = 0
        frame = gdb.selected_frame()
        while frame.newer() is not None:
            frame = frame.newer()
            self.level += 1

    def restore(self):
        """Runs the replay forwards to this place again and selects the
        frame the user had; ReplayError where it cannot."""
        if gdb.newest_frame().pc() != self.pc or instruction_count() != self.count:
            stop = gdb.Breakpoint("*%#x" % self.pc, internal=True)
            try:
                for _ in range(RETURN_TRIES):
                    count = instruction_count()
                    if gdb.newest_frame().pc() == self.pc and count == self.count:
                        break
                    if self.count is None or count is None or count > self.count \
                            or not run("continue"):
                        raise ReplayError("cannot come back to %#x in the replay" % self.pc)
            finally:
                stop.delete()
        frame = gdb.newest_frame()
        for _ in range(self.level):
            frame = frame.older() or frame
        frame.select()
