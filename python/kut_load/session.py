"""What every command inside gdb asks of the session: the symbol files
loaded, QEMU's monitor, whether the guest runs under KVM, a frame's level, the functions a
code address runs in, and stops that print nothing."""

import os
import re

import gdb

from kut_load import breakpoints, register_cache

# QEMU's `info kvm` (HMP): "kvm support: enabled" when the guest runs under KVM.
KVM_ENABLED = re.compile(r"^kvm support: enabled\b", re.M)


def symbol_files():
    """The valid objfiles the user or kut-load read, without separate debug files."""
    return [objfile for objfile in gdb.objfiles()
            if objfile.is_valid() and objfile.filename and objfile.owner is None]


# The plan of the last kut-load that loaded in this gdb (image.plan.LoadPlan):
# kut-debug marks the test's code read-only under KVM.
_loaded = [None]


def remember_loaded(plan):
    _loaded[0] = plan


def loaded_plan():
    """The LoadPlan of the last kut-load that loaded, or None."""
    return _loaded[0]


def monitor(command):
    """QEMU's answer to an HMP command through gdb's monitor, or None where
    the stub has no monitor or refuses. kut-load's own commands: the
    registers stay fresh (register_cache)."""
    with register_cache.OwnMonitor():
        try:
            return gdb.execute("monitor " + command, to_string=True)
        except gdb.error:
            return None


def under_kvm():
    """Whether the guest runs under KVM, from QEMU's monitor (`info kvm`); False
    under TCG and for a stub without QEMU's monitor."""
    return bool(KVM_ENABLED.search(monitor("info kvm") or ""))


def qemu_major():
    """The major version of the QEMU behind the connection (its monitor's
    info version), or None for a stub without QEMU's monitor."""
    version = (monitor("info version") or "").split(".")[0].strip()
    return int(version) if version.isdigit() else None


def frame_level(frame):
    """How many frames frame is above the newest: Frame.level() from gdb 11
    on, counted through newer() on gdb 10."""
    if hasattr(frame, "level"):
        return frame.level()
    level = 0
    newer = frame.newer()
    while newer is not None:
        level += 1
        newer = newer.newer()
    return level


def function_blocks(pc):
    """The blocks of the functions pc runs in, innermost first: those of
    functions inlined there, then the function of pc's own frame; [] without
    DWARF for pc."""
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        return []
    found = []
    while block is not None and not block.is_static and not block.is_global:
        if block.function is not None:
            found.append(block)
        block = block.superblock
    return found


def spelled(value):
    """A value of gdb.parameter() as the `set` command takes it back."""
    if value is True:
        return "on"
    if value is False:
        return "off"
    return "unlimited" if value is None else str(value)


class Setting:
    """A context in which gdb's setting `name` is `value` (as `set` spells
    it); the user's value comes back after. Nothing is set where the
    setting already has the value: a front end over MI sees each change.
    RuntimeError on entry where this gdb has no such setting."""

    def __init__(self, name, value):
        self.name, self.value, self.saved = name, value, None

    def __enter__(self):
        saved = spelled(gdb.parameter(self.name))
        if saved != self.value:
            gdb.execute("set %s %s" % (self.name, self.value), to_string=True)
            self.saved = saved
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            try:
                gdb.execute("set %s %s" % (self.name, self.saved), to_string=True)
            except gdb.error:
                pass  # a setting of the target's (scheduler-locking) is gone with the guest
        return False


class QuietStops:
    """A context in which the guest's stops print nothing: gdb's
    suppress-cli-notifications (gdb 12 and newer) hides the stops, and in the
    CLI gdb's stdout goes to /dev/null meanwhile, for what no setting hides
    (gdb 10 and 11's stops, "Program received signal SIGINT"). A front end
    over gdb's MI keeps its stdout: its *running records need their *stopped.
    Both come back after."""

    def __enter__(self):
        self.notifications = Setting("suppress-cli-notifications", "on")
        try:
            self.notifications.__enter__()
        except RuntimeError:
            self.notifications = None  # gdb 10 and 11: stdout alone is silenced
        self.stdout = None
        if breakpoints.silent_stops():
            gdb.flush()
            self.stdout = os.dup(1)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.close(null)
        return self

    def __exit__(self, *exc):
        if self.stdout is not None:
            gdb.flush()
            os.dup2(self.stdout, 1)
            os.close(self.stdout)
        if self.notifications is not None:
            self.notifications.__exit__(*exc)
        return False


# kut-why running the guest for its own sake (stepping, replaying again): the
# other commands' stop, continue and exit handlers leave those events alone.
_own_runs = []


class OwnRun:
    """A context in which the guest's stops, runs and exits are kut-why's own."""

    def __enter__(self):
        _own_runs.append(True)
        return self

    def __exit__(self, *exception):
        _own_runs.pop()
        return False


def own_run():
    """Whether the guest runs inside an OwnRun."""
    return bool(_own_runs)
