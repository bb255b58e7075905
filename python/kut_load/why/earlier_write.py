"""The last write to a device address before a read of it, found by going
back in the replay: a write watchpoint QEMU sets (a Z2 packet, so that gdb
never reads the device itself for a watched value), reverse-continue to
its hit, and the writing instruction confirmed by QEMU's trace of the
instruction stepped again."""

import re

import gdb

from kut_load.why import device_steps, replay

# QEMU's monitor `gva2gpa ADDR`: "gpa: 0x8000820".
GUEST_PHYSICAL = re.compile(r"gpa: (0x[0-9a-fA-F]+)")
# QEMU stops going back at the writing instruction or the one after it (7.2).
STEPS_CONFIRMING = 2


def packet(text):
    """gdb's `maintenance packet` answer to text, as QEMU's stub gave it."""
    said = gdb.execute("maintenance packet %s" % text, to_string=True) or ""
    found = re.search(r'received: "(.*)"', said)
    return found.group(1) if found else ""


def find(read_step, test_frame):
    """(the device_steps.Access of the last write overlapping the read of
    read_step, None), or (None, why there is none to name). The guest ends
    near that write."""
    read = read_step.access
    gpa = GUEST_PHYSICAL.search(replay.monitor("gva2gpa %#x" % read.address))
    if not gpa or int(gpa.group(1), 16) != read.address:
        return None, ("the last write before it is not looked for: the guest does not map "
                      "%#x at the same virtual address" % read.address)
    watch = "%x,%x" % (read.address, read.size)
    if packet("Z2," + watch) != "OK":
        return None, "the last write before it is not looked for: QEMU sets no write watchpoint"
    try:
        went_back = replay.run("reverse-continue")
    finally:
        packet("z2," + watch)
    if not went_back:
        return None, "no write there since the replay's start"
    replay.run("reverse-stepi")
    stepped, _ = device_steps.traced_until(None, test_frame, limit=STEPS_CONFIRMING)
    writes = [item for item in stepped
              if item.access.write and device_steps.overlap(item.access, read)]
    # QEMU does not say when going back reached the replay's start: the trace does.
    if not writes:
        return None, ("going back to a write there found none QEMU traced (its watchpoint "
                      "stopped at %#x)" % gdb.newest_frame().pc())
    if writes[-1].count is None or read_step.count is None \
            or writes[-1].count >= read_step.count:
        return None, "going back to a write there found one after the read"
    return writes[-1], None
