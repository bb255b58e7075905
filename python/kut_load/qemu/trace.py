"""QEMU's trace of device accesses, as its "log" trace backend writes
them: each read or write of a device region by a CPU (trace events
memory_region_ops_read and memory_region_ops_write). RAM is never traced.
Pure: the log's text in, accesses out."""

import collections
import re

EVENTS = ("memory_region_ops_read", "memory_region_ops_write")

# "memory_region_ops_read cpu 0 mr 0x55bc13304040 addr 0x8000820 value 0x0 size 4
# name 'gic_dist'", after an optional "PID@SECONDS:" when QEMU stamps its messages.
_ACCESS = re.compile(
    r"memory_region_ops_(read|write) cpu (-?\d+) mr (?:0x[0-9a-fA-F]+|\(nil\)) "
    r"addr (0x[0-9a-fA-F]+) value (0x[0-9a-fA-F]+) size (\d+)(?: name '([^']*)')?")

# write: True for a write; address as traced (QEMU 4.2 and later trace the
# address in the address space; older ones the offset in the region);
# value cut to size (QEMU 7.2 traces a 32-bit read's sign-extended to 64);
# size in bytes; region: QEMU's name of the device region, or "".
Access = collections.namedtuple("Access", "write cpu address value size region")


def accesses(text):
    """[Access] in the order QEMU traced them."""
    return [Access(match.group(1) == "write", int(match.group(2)), int(match.group(3), 16),
                   int(match.group(4), 16) & ((1 << 8 * int(match.group(5))) - 1),
                   int(match.group(5)), match.group(6) or "")
            for match in _ACCESS.finditer(text)]
