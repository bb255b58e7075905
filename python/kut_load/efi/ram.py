"""Where the guest's RAM is, from QEMU's `monitor info mtree -f`.

The firmware's table pointer is searched for only inside RAM: a read of
device memory can have side effects (a UART's data register pops a byte).
"""

from kut_load.qemu.mtree import cpu_regions


def parse_ram_ranges(text):
    """[(start, end)] of RAM in the CPUs' address space (end exclusive), lowest
    first, joined where they touch."""
    return merged((region.start, region.end) for region in cpu_regions(text)
                  if region.kind == "ram")


def merged(ranges):
    """[(start, end)] sorted, with touching or overlapping ranges joined."""
    joined = []
    for start, end in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined
