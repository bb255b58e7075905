"""Moving through QEMU's replay of a recorded run for kut-why: whether QEMU
replays, where in the run the guest is (QEMU's instruction count), going
to any instruction count of the run, and coming back to where the user
stood.

A replay is deterministic: the same instruction count is the same point of
the same run. Going to a count replays from the recording's start and stops
there (replay_break), which needs nothing of gdb's reverse execution: QEMU's
replay_seek where it replays after loading the start's snapshot (arches.py's
replay_seek), else a QEMU started again on the recording (replay_restart.py)."""

import re

import gdb

from kut_load import arches, register_cache, session
from kut_load.errors import KutLoadError

# QEMU's `info replay`: "Replaying execution 'F': instruction count = 16777165".
INSTRUCTION_COUNT = re.compile(r"instruction count = (\d+)")
# gdb's words where a replay has nothing more that way.
NO_HISTORY = "No more reverse-execution history"


class ReplayError(KutLoadError):
    """kut-why could not move through the replay; str() says where."""


def monitor(command):
    """QEMU's answer to command, "" where there is none."""
    return session.monitor(command) or ""


def replaying():
    """Whether the guest runs in QEMU's replay of a recording (info replay)."""
    return monitor("info replay").startswith("Replaying")


def reverse_refusal():
    """Why gdb's reverse commands cannot serve on this guest's architecture
    (arches.py's reverse), or None."""
    name, arch = _arch()
    if arch is not None and arch.reverse:
        return None
    return ("QEMU's replay hangs in reverse-stepi and reverse-continue on %s (seen with QEMU "
            "7.2)" % name)


def seeks():
    """Whether QEMU's replay_seek replays on this guest's architecture
    (arches.py's replay_seek); else the replay is started again."""
    arch = _arch()[1]
    return bool(arch and arch.replay_seek)


def _arch():
    name = gdb.selected_inferior().architecture().name()
    return name, arches.of_gdb(name)


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


def go_to(count):
    """Runs the replay to the instruction count: forwards from here when it is
    ahead, else from the recording's start (QEMU's replay_seek loads its
    snapshot, and the guest runs to the count). ReplayError where QEMU does
    not get there."""
    now = instruction_count()
    if now == count:
        return
    if now is not None and now < count:
        with StopAt(count):  # ahead: no need to replay from the start
            run("continue")
    elif seeks():
        monitor("replay_seek %d" % count)
        if instruction_count() != count:
            run("continue")
    else:
        go_to_start()
        if count > 0:
            with StopAt(count):
                run("continue")
    reached = instruction_count()
    register_cache.flush()
    if reached != count:
        raise ReplayError("the replay did not come to instruction %d (QEMU stopped at %s)"
                          % (count, reached))


def go_to_start():
    """Runs the replay back to its recording's start (the snapshot QEMU took
    there, or a QEMU replaying it again); its instruction count. ReplayError
    where QEMU cannot be started again."""
    if seeks():
        monitor("replay_seek 0")
    else:
        from kut_load.why import replay_restart
        try:
            replay_restart.start_again()
        except replay_restart.RestartError as error:
            raise ReplayError(str(error)) from None
    register_cache.flush()
    return instruction_count()


class StopAt:
    """A context in which the replay stops at an instruction count, whatever
    the guest runs meanwhile (QEMU's replay_break); cleared after."""

    def __init__(self, count):
        self.count = count

    def __enter__(self):
        monitor("replay_break %d" % self.count)
        return self

    def __exit__(self, *exception):
        monitor("replay_delete_break")
        return False


class Place:
    """Where the guest is in the replay: QEMU's instruction count, and the
    level of the frame the user selected."""

    def __init__(self):
        self.count = instruction_count()
        self.level = session.frame_level(gdb.selected_frame())

    def restore(self):
        """Runs the replay to this place again and selects the frame the user
        had; ReplayError where it cannot."""
        if self.count is None:
            raise ReplayError("QEMU gave no instruction count to come back to")
        go_to(self.count)
        frame = gdb.newest_frame()
        for _ in range(self.level):
            frame = frame.older() or frame
        frame.select()
