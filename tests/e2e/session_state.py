"""Sourced into the gdb under test: `session-state LABEL` prints, on one
line, what a user's session is made of, read through gdb's own Python API
(nothing of kut-load's): breakpoints and their locations, symbol files,
settings, architecture, byte order, the selected thread and frame."""

import json
import re

import gdb


def breakpoints():
    return [{"number": bp.number, "enabled": bp.enabled, "spec": bp.location,
             "locations": locations(bp)}
            for bp in gdb.breakpoints() if bp.type == gdb.BP_BREAKPOINT]


def locations(bp):
    """[[address, enabled]] of bp's locations: Breakpoint.locations from gdb 13
    on; before, the rows of `info breakpoints N`."""
    if hasattr(bp, "locations"):
        return [[location.address, location.enabled] for location in bp.locations]
    found = []
    for line in gdb.execute("info breakpoints %d" % bp.number, to_string=True).splitlines():
        # "1       breakpoint     keep y   0x0000000040080290 in main at f.c:5"
        # "1.2                         y   0x0000000040080290 in main at f.c:5" (one of several)
        row = re.match(r"^%d(\.\d+)?\s+(?:breakpoint\s+\S+\s+)?([yn])\S*\s+(0x[0-9a-f]+)\s"
                       % bp.number, line)
        if row:
            found.append([int(row.group(3), 16), row.group(1) is None or row.group(2) == "y"])
    return found


def symbol_files():
    return sorted(objfile.filename for objfile in gdb.objfiles()
                  if objfile.is_valid() and objfile.owner is None)


def shown(setting):
    return gdb.execute("show " + setting, to_string=True).strip()


def selection():
    """(thread number, frame level, frame pc), or None before a target is
    connected; level and pc are None where gdb has no frame (a CPU at pc 0)."""
    thread = gdb.selected_thread()
    if thread is None:
        return None
    try:
        frame = gdb.selected_frame()
        frame.pc()
    except gdb.error:
        return [thread.num, None, None]
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
