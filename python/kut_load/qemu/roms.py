"""Parses QEMU's `monitor info roms`: what QEMU placed where at reset."""

import re
from collections import namedtuple

# addr=0000000040080000 size=0x0286b0 mem=ram name="arm/gic.flat"
_LINE = (
    r'^\s*(?:fw=\S+\s+)?addr=(?P<addr>[0-9a-fA-F]+)\s+size=(?P<size>0x[0-9a-fA-F]+)'
    r'\s+mem=(?P<mem>\w+)\s+name="(?P<name>.*)"\s*$')

# QEMU's generic ELF loader names a segment's ROM "FILE ELF program header segment N"
# (include/hw/elf_ops.h); QEMU 5.2 and older named it "phdr #N: FILE".
_SEGMENT = (r"^(?:(?P<file>.*) ELF program header segment (?P<index>\d+)"
            r"|phdr #(?P<old_index>\d+): (?P<old_file>.*))$")


class Rom(namedtuple("Rom", "address size memory name")):
    """One ROM: where QEMU put it, how big, in which memory, and its name."""
    __slots__ = ()

    def contains(self, address):
        return self.address <= address < self.address + self.size


def parse_info_roms(text):
    """The ROMs listed in the text, in order; lines that do not parse are skipped."""
    roms = []
    # Compiled here, not at import (0.8 ms): most kut-loads never ask for the list.
    line_pattern = re.compile(_LINE)
    for line in text.splitlines():
        match = line_pattern.match(line)
        if match:
            roms.append(Rom(int(match["addr"], 16), int(match["size"], 16),
                            match["mem"], match["name"]))
    return roms


def segment_of(rom_name):
    """(file name, program header index) of a segment ROM's name, or None."""
    match = re.match(_SEGMENT, rom_name)  # compiled at first use, then cached by re
    if not match:
        return None
    if match["file"] is not None:
        return match["file"], int(match["index"])
    return match["old_file"], int(match["old_index"])
