"""QEMU's memory map, from its monitor's `info mtree -f`: the regions of the
CPUs' address space (RAM, ROM, devices) and of the I/O port space, each with
QEMU's own name for it. Pure: the monitor's text in, regions out."""

import collections
import re

# "  0000000008000000-0000000008000fff (prio 0, i/o): gic_dist"
_RANGE = re.compile(r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) \(prio -?\d+, ([^)]+)\): (.*)$")
# ' AS "cpu-memory-0", root: system' under "FlatView #N" (QEMU 4.0 and later);
# "address-space (flat view): memory" heads a view in older QEMUs.
_SPACE = re.compile(r'^\s*AS "([^"]*)"')
_OLD_VIEW = re.compile(r"^address-space \(flat view\): (\S+)")
# " @0000000010000000" after a name: the offset into the region an alias shows.
_ALIAS_OFFSET = re.compile(r"\s+@[0-9a-fA-F]+$")
# The name of the x86 port space.
IO_SPACE = "I/O"

# start and end (exclusive) in the address space; kind as QEMU prints it
# ("ram", "rom", "romd", "i/o"); name as QEMU's device names it.
Region = collections.namedtuple("Region", "start end kind name")


def is_cpu_space(name):
    return name == "memory" or name.startswith("cpu-memory")


def views(text):
    """[(address space names, [Region])] of each flat view in the text."""
    found = []
    for line in text.splitlines():
        old_view = _OLD_VIEW.match(line)
        if line.startswith("FlatView #") or old_view:
            found.append(([old_view.group(1)] if old_view else [], []))
            continue
        space = _SPACE.match(line)
        if space and found:
            found[-1][0].append(space.group(1))
            continue
        match = _RANGE.match(line)
        if match and found:
            start, last = int(match.group(1), 16), int(match.group(2), 16)
            if last >= start:
                name = _ALIAS_OFFSET.sub("", match.group(4).strip())
                found[-1][1].append(Region(start, last + 1, match.group(3), name))
    return found


def cpu_regions(text):
    """The regions of the CPUs' address space ("memory", "cpu-memory-N"),
    lowest first. QEMU lists its flat views in no fixed order."""
    return sorted(region for spaces, regions in views(text)
                  if any(is_cpu_space(name) for name in spaces) for region in regions)


def io_regions(text):
    """The regions of the I/O port space (x86's in and out), lowest first."""
    return sorted(region for spaces, regions in views(text) if IO_SPACE in spaces
                  for region in regions)


def region_at(regions, address):
    """The Region holding address, or None."""
    return next((region for region in regions if region.start <= address < region.end), None)
