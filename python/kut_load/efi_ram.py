"""Where the guest's RAM is, from QEMU's `monitor info mtree -f`.

The firmware's table pointer is searched for only inside RAM: a read of
device memory can have side effects (a UART's data register pops a byte).
"""

import re

# "  0000000040000000-0000000047ffffff (prio 0, ram): mach-virt.ram"
_RANGE = re.compile(r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) \(prio -?\d+, (\w+)\): (.*)$")


def parse_ram_ranges(text):
    """[(start, end)] of the RAM the CPUs see (end exclusive), lowest first.

    Only the first flat view is read: it is the CPUs' address space; later
    views are I/O ports and bus-master spaces.
    """
    ranges = []
    views = 0
    for line in text.splitlines():
        if line.startswith("FlatView #"):
            views += 1
            if views > 1:
                break
            continue
        match = _RANGE.match(line)
        if match and match.group(3) == "ram":
            start, last = int(match.group(1), 16), int(match.group(2), 16)
            if last >= start:
                ranges.append((start, last + 1))
    return sorted(_merge(ranges))


def _merge(ranges):
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
