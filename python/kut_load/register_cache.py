"""Whether gdb's cached registers may be stale, and dropping them then.

gdb reads the registers at every stop it sees and keeps them until it
resumes the guest. QEMU's monitor can reset the guest behind gdb's back
(`monitor system_reset`): gdb then keeps the registers of the stop before,
and would resume the reset guest from the pc it cached. gdb tells Python of
no command it runs, so a post-hook of `monitor` (gdb's hookpost-monitor,
defined only where the user has none of their own) marks the registers
stale, and a stop gdb sees makes them fresh. Dropping them costs one
register read (a `g` packet) when gdb next builds a frame, so kut-load
drops them only when they may be stale.

A reset through QEMU's own monitor (its -monitor, QMP) is one gdb never
sees: after it, `maintenance flush register-cache` (gdb 10: flushregs).
"""

import os

import gdb

from kut_load import gdb_hooks

HOOK = "hookpost-monitor"
# In the hook's body: how `show user` tells kut-load's hook from a user's own.
MARK = "kut_load.register_cache"
# The hook's definition, in gdb's command language.
HOOK_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "monitor_hook.gdb")

_state = {"stale": False, "own_monitor": 0}


def install():
    """Defines the hook where the user has no hookpost-monitor of their own,
    and follows gdb's stops. At gdb's start no monitor command has run; a
    gdbinit sourced on a live connection cannot know, so it starts stale."""
    if _user_hook() is None:
        try:
            _define_hook()
        except gdb.error:
            pass  # no hook: kut-load drops the registers at every load (hook_in_place)
    _state["stale"] = gdb.selected_inferior().pid != 0
    gdb.events.stop.connect(_stopped)


def _define_hook():
    gdb_hooks.define_from_file(HOOK_FILE)


def _gdb_major():
    """gdb's major version, e.g. 13 for '13.1' or '10.1.90.20210103-git'."""
    return int(gdb.VERSION.split(".")[0])


def _user_hook():
    return gdb_hooks.user_definition(HOOK)


def hook_in_place():
    """Whether hookpost-monitor is still kut-load's (a user may define their own later)."""
    return MARK in (_user_hook() or "")


def monitor_ran():
    """The hook: a monitor command the user ran may have reset the guest."""
    if not _state["own_monitor"]:
        _state["stale"] = True


def _stopped(event):
    _state["stale"] = False


def may_be_stale():
    """Whether gdb's registers may be those of a guest QEMU reset since gdb's last stop."""
    return _state["stale"] or not hook_in_place()


def flush():
    """Drops gdb's cached registers, so the next read asks the target."""
    if _gdb_major() >= 11:
        gdb.execute("maintenance flush register-cache", to_string=True)
    else:
        # gdb 10 takes gdb 11's name silently and does nothing; its flushregs prints
        # nothing, and works only when its output is not captured.
        gdb.execute("flushregs")
    _state["stale"] = False


def flush_if_stale():
    """Drops gdb's cached registers when they may be stale (may_be_stale)."""
    if may_be_stale():
        flush()


class OwnMonitor:
    """A context in which monitor commands are kut-load's own reads, which
    reset nothing; commands that move the guest (replay_seek) flush after."""

    def __enter__(self):
        _state["own_monitor"] += 1
        return self

    def __exit__(self, *exception):
        _state["own_monitor"] -= 1
        return False
