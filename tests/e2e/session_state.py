"""Sourced into the gdb under test: `session-state LABEL` prints, on one
line, what a user's session is made of, read through gdb's own Python API
(nothing of kut-load's): breakpoints and their locations, symbol files,
settings, architecture, byte order, the selected thread and frame."""

import json

import gdb


def breakpoints():
    return [{"number": bp.number, "enabled": bp.enabled, "spec": bp.location,
             "locations": [[location.address, location.enabled]
                           for location in bp.locations]}
            for bp in gdb.breakpoints() if bp.type == gdb.BP_BREAKPOINT]


def symbol_files():
    return sorted(objfile.filename for objfile in gdb.objfiles()
                  if objfile.is_valid() and objfile.owner is None)


def shown(setting):
    return gdb.execute("show " + setting, to_string=True).strip()


def selection():
    """(thread number, frame level, frame pc), or None before a target is connected."""
    thread = gdb.selected_thread()
    if thread is None:
        return None
    frame = gdb.selected_frame()
    level = 0
    newer = frame.newer()
    while newer is not None:
        level, newer = level + 1, newer.newer()
    return [thread.num, level, frame.pc()]


def address_of(name):
    try:
        return int(gdb.parse_and_eval("&" + name))
    except gdb.error:
        return None


class SessionState(gdb.Command):
    """session-state LABEL: print the session's state as one JSON line."""

    def __init__(self):
        super().__init__("session-state", gdb.COMMAND_DATA)

    def invoke(self, label, from_tty):
        state = {"breakpoints": breakpoints(), "symbol_files": symbol_files(),
                 "confirm": gdb.parameter("confirm"), "pagination": gdb.parameter("pagination"),
                 "height": gdb.parameter("height"), "architecture": shown("architecture"),
                 "endian": shown("endian"), "selection": selection(),
                 "main": address_of("main"), "sample_magic": address_of("sample_magic")}
        gdb.write("STATE %s %s\n" % (label, json.dumps(state)))


SessionState()
