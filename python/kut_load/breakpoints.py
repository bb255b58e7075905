"""gdb's breakpoints as every gdb from 10 on has them: their kinds, and where
their locations are. gdb 13 and later list locations (Breakpoint.locations);
before, the breakpoint's location is decoded again, as a linespec, since gdb
12 and older decode no explicit location. gdb 10 has no hardware breakpoint
type in Python."""

import functools
import re

import gdb

from kut_load.errors import KutLoadError

# The kinds that stop at code: a software breakpoint, and where gdb has it, a hardware one.
CODE_TYPES = tuple(getattr(gdb, name) for name in ("BP_BREAKPOINT", "BP_HARDWARE_BREAKPOINT")
                   if hasattr(gdb, name))


def code_type(hardware, needed_for):
    """gdb.BP_HARDWARE_BREAKPOINT if hardware, else gdb.BP_BREAKPOINT. Raises
    KutLoadError naming needed_for where this gdb (10) cannot make a hardware one."""
    if not hardware:
        return gdb.BP_BREAKPOINT
    if not hasattr(gdb, "BP_HARDWARE_BREAKPOINT"):
        raise KutLoadError("%s needs hardware breakpoints, which gdb's Python has from gdb 11 on "
                           "(this is gdb %s); use a newer gdb-multiarch"
                           % (needed_for, gdb.VERSION.split()[0]))
    return gdb.BP_HARDWARE_BREAKPOINT


INTERPRETER_OPTIONS = ("-i", "--i", "-interpreter", "--interpreter")


def interpreter_of(argv):
    """The top-level interpreter gdb's command line asks for (-i mi2,
    --interpreter=mi), or None for gdb's default, the CLI."""
    for index, word in enumerate(argv):
        name, equals, value = word.partition("=")
        if name in INTERPRETER_OPTIONS:
            if equals:
                return value
            if index + 1 < len(argv):
                return argv[index + 1]
    return None


@functools.lru_cache(maxsize=None)  # gdb's command line does not change while it runs
def silent_stops():
    """Whether kut-load's stopping breakpoints are silent: in the CLI,
    kut-break-fail says why the guest stopped and shows the test's frame; a
    front end over gdb's MI needs gdb's own *stopped record, whose reason,
    thread and frame a silent breakpoint leaves out."""
    try:
        with open("/proc/self/cmdline", "rb") as cmdline:
            argv = cmdline.read().decode(errors="replace").split("\0")
    except OSError:
        return True
    interpreter = interpreter_of(argv)
    return not (interpreter or "").startswith("mi")


_EXPLICIT_SOURCE_LINE = re.compile(r"^-source (\S+) -line (\d+)$")
_EXPLICIT_FUNCTION = re.compile(r"^-function (\S+)$")


def locations(breakpoint):
    """[(address, line or None)], one per location; None when this gdb cannot
    say (an older gdb and a location not written as a linespec)."""
    if hasattr(breakpoint, "locations"):
        return [(location.address, location.source[1] if location.source else None)
                for location in breakpoint.locations]
    spec = linespec(breakpoint.location)
    if spec is None:
        return None
    try:
        sals = gdb.decode_line(spec)[1] or ()
    except gdb.error:
        return None
    return [(sal.pc, sal.line or None) for sal in sals]


def linespec(location):
    """The linespec of a location gdb prints ('-source F -line N' as 'F:N',
    '-function F' as 'F', '*ADDR' as it is), or None for what a linespec
    cannot hold (a file name with a colon or quote)."""
    if location is None:
        return None
    explicit = _EXPLICIT_SOURCE_LINE.match(location)
    if explicit:
        path, line = explicit.groups()
        return None if re.search(r"[:'\"]", path) else "%s:%s" % (path, line)
    function = _EXPLICIT_FUNCTION.match(location)
    if function:
        return function.group(1)
    return None if location.startswith("-") else location


def stand_in(point):
    """An internal breakpoint or watchpoint that stops where point does (its
    location or expression, kind and condition), so that a run can be
    stopped there without counting a hit of point's; None where this gdb
    cannot make one (a catchpoint, a location gdb no longer resolves)."""
    try:
        if point.type in CODE_TYPES:
            made = gdb.Breakpoint(point.location, point.type, internal=True)
        elif point.type in (gdb.BP_WATCHPOINT, gdb.BP_HARDWARE_WATCHPOINT):
            made = gdb.Breakpoint(watched(point.expression), gdb.BP_WATCHPOINT, gdb.WP_WRITE,
                                  internal=True)
        elif point.type in (gdb.BP_READ_WATCHPOINT, gdb.BP_ACCESS_WATCHPOINT):
            kind = gdb.WP_READ if point.type == gdb.BP_READ_WATCHPOINT else gdb.WP_ACCESS
            made = gdb.Breakpoint(watched(point.expression), gdb.BP_WATCHPOINT, kind,
                                  internal=True)
        else:
            return None
    except (gdb.error, RuntimeError):
        return None
    if point.condition:
        try:
            made.condition = point.condition
        except (gdb.error, RuntimeError):
            made.delete()
            return None
    return made


def watched(expression):
    """A watchpoint's expression as gdb.Breakpoint takes it: `watch -l X`'s
    "-location X" as the memory X is now, *(TYPE *) ADDRESS."""
    prefix = "-location "
    if not expression.startswith(prefix):
        return expression
    value = gdb.parse_and_eval(expression[len(prefix):])
    return "*(%s *) %#x" % (value.type, int(value.address))


class BreakpointsOff:
    """A context in which no breakpoint or watchpoint of the session stops
    the guest (those gdb.breakpoints() lists: the user's, and the internal
    ones made from Python, kut-break-fail's); each is enabled again after,
    as it was (a watchpoint armed afresh with the values there)."""

    def chosen(self):
        return [point for point in (gdb.breakpoints() or ()) if point.enabled]

    def __enter__(self):
        self.enabled = self.chosen()
        for point in self.enabled:
            point.enabled = False
        return self

    def __exit__(self, *exception):
        for point in self.enabled:
            if point.is_valid():
                point.enabled = True
        return False


class WatchpointsOff(BreakpointsOff):
    """BreakpointsOff for watchpoints only."""

    def chosen(self):
        return [point for point in super().chosen() if point.type not in CODE_TYPES]


def renew_watchpoints():
    """gdb drops a watchpoint's locations when its inferior is killed, and
    makes new ones where the watchpoint is enabled again: after gdb connects
    to a QEMU started again, each enabled one (kut-break-fail's too) is
    disabled and enabled."""
    with WatchpointsOff():
        pass
