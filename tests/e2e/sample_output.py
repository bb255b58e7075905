"""What gdb prints when it stops in the sample guest, as the source says it
must be (tests/guest_source.py), shared by the end-to-end tests."""

import re

from guest_source import initial_value, marker_line

MAIN_LINE = marker_line("first line of main")
MIX_LINE = marker_line("inside mix")
MAGIC = "= %#x" % initial_value("sample_magic")
STOP_IN_MAIN = re.compile(r"main \(argc=1, argv=0x[0-9a-f]+\) at \S+/main\.c:%d" % MAIN_LINE)
STOP_IN_MIX = re.compile(r"mix \(.*\) at \S+main\.c:%d" % MIX_LINE)


def frame_names(out):
    """Function names of the backtrace frames gdb printed, in order."""
    return re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", out, re.M)
