"""The guest stepped one instruction at a time with QEMU's trace of device
accesses on: each access with the instruction that made it, the file:line
and function of that instruction, and the line of the test's frame it ran
for; and how kut-why words a read and a write."""

import gdb

from kut_load.qemu import mtree
from kut_load.quoting import printable
from kut_load.why import replay
from kut_load.why.device_trace import DeviceTrace, NoDeviceTrace

# Instructions stepped one by one, with QEMU's trace on, over the line that set a variable.
STEPS_OVER_LINE = 1500


class Access:
    """A traced device access, the instruction that made it (pc, text,
    file:line in function, QEMU's instruction count after it: the
    instruction is the count-1th) and the line of the test's frame it ran
    for."""

    def __init__(self, access, pc, instruction, place, count):
        where, test_line, source_line = place
        self.access = access
        self.source_line = source_line
        self.pc = pc
        self.count = count
        self.instruction = " ".join(instruction.split())
        self.where = where
        self.test_line = test_line


def traced_until(end_count, test_frame, limit=STEPS_OVER_LINE):
    """([Access], None): the device accesses of the instructions stepped one
    by one from here to QEMU's instruction count end_count, or ([Access] so
    far, why they stop short: no trace, too many instructions)."""
    found = []
    try:
        device_trace = DeviceTrace()
    except NoDeviceTrace as error:
        return found, str(error)
    architecture = gdb.selected_inferior().architecture()
    with device_trace:
        for _ in range(limit):
            count = replay.instruction_count()
            if count is None or count >= end_count:
                return found, None
            frame = gdb.newest_frame()
            pc = frame.pc()
            place = describe(frame, test_frame)
            if not replay.run("stepi"):
                return found, None
            for access in device_trace.accesses():
                found.append(Access(access, pc, architecture.disassemble(pc)[0]["asm"], place,
                                    count + 1))
    return found, "more than %d instructions to step" % limit


def describe(frame, test_frame):
    """(file:line in function of the innermost frame, the line of the test's
    frame or None, file:line in function of the innermost frame in the
    test's source file or None)."""
    where = frame_place(frame)
    source_line = test_line = None
    while frame is not None:
        sal = frame.find_sal()
        if source_line is None and sal.symtab and sal.symtab.filename == test_frame.file:
            source_line = frame_place(frame)
        if frame == test_frame:
            test_line = sal.line
            break
        frame = frame.older()
    return where, test_line, source_line


def frame_place(frame):
    sal = frame.find_sal()
    return "%s:%d in %s" % (sal.symtab.filename if sal.symtab else "??", sal.line,
                            frame.name() or "??")


def mtree_regions():
    text = replay.monitor("info mtree -f")
    return mtree.cpu_regions(text) + mtree.io_regions(text)


def region_name(access, regions):
    """"gic_dist + 0x820": QEMU's region holding the address (info mtree -f),
    and the offset; the trace's name where the map has none (QEMU 5.2 traces
    none)."""
    region = mtree.region_at([region for region in regions
                              if region.name == access.region or not access.region],
                             access.address)
    if region is not None:
        return "%s + %#x" % (region.name, access.address - region.start)
    return access.region or "a region QEMU's memory map does not list"


def read_line(read, regions):
    """What kut-why says of a device read."""
    access = read.access
    article = "an" if access.size == 1 else "a"  # an 8-bit read
    return "  %s %d-bit read of %#x, QEMU's %s, answered %#x (`%s` at %#x, %s)" % (
        article, 8 * access.size, access.address, region_name(access, regions), access.value,
        printable(read.instruction), read.pc, printable(read.where))


def write_line(write):
    """What kut-why says of the write before a read: at its line in the test's
    source file (the test's frame, or another function of that file), else
    where its instruction is."""
    access = write.access
    where = printable(write.source_line or write.where)
    return ("  the last write there before it: %s wrote %#x to %#x, %d bits (`%s` at %#x, %s)"
            % (where, access.value, access.address, 8 * access.size,
               printable(write.instruction), write.pc, printable(write.where)))


def overlap(one, other):
    """Whether two accesses touch a byte in common."""
    return one.address < other.address + other.size and other.address < one.address + one.size
