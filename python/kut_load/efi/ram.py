"""Where the guest's RAM is, from QEMU's `monitor info mtree -f`.

The firmware's table pointer is searched for only inside RAM: a read of
device memory can have side effects (a UART's data register pops a byte).
"""

import re

# "  0000000040000000-0000000047ffffff (prio 0, ram): mach-virt.ram"
_RANGE = re.compile(r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) \(prio -?\d+, (\w+)\): (.*)$")
# ' AS "cpu-memory-0", root: system' under "FlatView #N" (QEMU 4.0 and later);
# "address-space (flat view): memory" heads a view in older QEMUs.
_SPACE = re.compile(r'^\s*AS "([^"]*)"')
_OLD_VIEW = re.compile(r"^address-space \(flat view\): (\S+)")


def _is_cpu_space(name):
    return name == "memory" or name.startswith("cpu-memory")


def parse_ram_ranges(text):
    """[(start, end)] of RAM in the CPUs' address space (end exclusive), lowest
    first. QEMU lists its flat views in no fixed order; the CPUs' one is the
    view of the "memory" or "cpu-memory-N" address spaces."""
    ranges = []
    spaces, view_ranges = [], []

    def close_view():
        if any(_is_cpu_space(name) for name in spaces):
            ranges.extend(view_ranges)

    for line in text.splitlines():
        old_view = _OLD_VIEW.match(line)
        if line.startswith("FlatView #") or old_view:
            close_view()
            spaces, view_ranges = [old_view.group(1)] if old_view else [], []
            continue
        space = _SPACE.match(line)
        if space:
            spaces.append(space.group(1))
            continue
        match = _RANGE.match(line)
        if match and match.group(3) == "ram":
            start, last = int(match.group(1), 16), int(match.group(2), 16)
            if last >= start:
                view_ranges.append((start, last + 1))
    close_view()
    return merged(ranges)


def merged(ranges):
    """[(start, end)] sorted, with touching or overlapping ranges joined."""
    joined = []
    for start, end in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined
