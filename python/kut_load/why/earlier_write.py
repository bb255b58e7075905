"""The last write to a device address before a read of it, found going
back in the replay from the read: the instruction just before the read,
then a write watchpoint QEMU sets (a Z2 packet, so that gdb never reads
the device itself for a watched value) and reverse-continue to its hit.
The writing instruction is confirmed by QEMU's trace, stepped again.

QEMU 7.2 stops going back one instruction after the write, and does not
count a write of the instruction just before where it starts (hence the
first step); it says nothing when it reaches the replay's start. Forwards,
a watchpoint on device memory never stops the replay (QEMU 7.2)."""

import re

import gdb

from kut_load.session import qemu_major
from kut_load.why import device_steps, replay

# QEMU's monitor `gva2gpa ADDR`: "gpa: 0x8000820".
GUEST_PHYSICAL = re.compile(r"gpa: (0x[0-9a-fA-F]+)")
# The first QEMU whose replay reports watchpoint hits (5.2 reports none).
WATCHPOINTS_GO_BACK = 7
# Instructions stepped again from before a watchpoint's stop to find its write.
STEPS_BEFORE_HIT = 2


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
    # The instruction just before the read, which QEMU's reverse-continue skips.
    replay.go_to(read_step.count - 2)
    stepped, _ = device_steps.traced_until(read_step.count - 1, test_frame)
    writes = overlapping_writes(stepped, read_step)
    if writes:
        return writes[-1], None
    if not replay.seeks():  # reverse-continue from a replay started again: not seen to return
        return None, ("the last write before it is not looked for further back: QEMU's "
                      "reverse execution serves kut-why in arm and aarch64 replays only")
    major = qemu_major()
    if major is not None and major < WATCHPOINTS_GO_BACK:
        return None, ("the last write before it is not looked for: QEMU %d's replay reports no "
                      "watchpoint hit" % major)
    watch = "%x,%x" % (read.address, read.size)
    if packet("Z2," + watch) != "OK":
        return None, "the last write before it is not looked for: QEMU sets no write watchpoint"
    try:
        replay.run("reverse-continue")
    finally:
        packet("z2," + watch)
    hit = replay.instruction_count()
    if hit is None or hit <= test_frame.start:
        return None, "no write there from the replay's start (QEMU's write watchpoint)"
    replay.go_to(max(test_frame.start, hit - STEPS_BEFORE_HIT))
    stepped, _ = device_steps.traced_until(hit + STEPS_BEFORE_HIT, test_frame)
    writes = overlapping_writes(stepped, read_step)
    if not writes:
        return None, ("QEMU's write watchpoint stopped going back at instruction %d, where "
                      "QEMU traced no write there" % hit)
    return writes[-1], None


def overlapping_writes(stepped, read_step):
    """The writes among stepped accesses that touch the read's bytes before it."""
    return [item for item in stepped if item.access.write and item.count < read_step.count
            and device_steps.overlap(item.access, read_step.access)]
