"""Where an ELF's own DWARF puts the start of a function: the oracle the
upstream tier checks gdb's stops against, read with pyelftools, independent
of kut-load's native reader and of gdb."""

import functools
import os

from elftools.elf.elffile import ELFFile

# gdb stops a `break FUNCTION` past the prologue: a line of the first few
# addresses of the function's line table rows.
PROLOGUE_ADDRESSES = 3


class FunctionStart:
    """A function's file (base name), declaration line, and the lines a
    breakpoint on it may stop at."""

    def __init__(self, file, decl_line, lines):
        self.file, self.decl_line, self.lines = file, decl_line, frozenset(lines)

    def holds(self, file, line):
        return os.path.basename(file) == self.file and line in self.lines

    def __repr__(self):
        return "%s:%s" % (self.file, ",".join(str(line) for line in sorted(self.lines)))


def _span(die):
    low = die.attributes.get("DW_AT_low_pc")
    high = die.attributes.get("DW_AT_high_pc")
    if low is None or high is None:
        return None
    end = high.value if high.form == "DW_FORM_addr" else low.value + high.value
    return low.value, end


def _defining_die(dwarf, name):
    for unit in dwarf.iter_CUs():
        for die in unit.iter_DIEs():
            attribute = die.attributes.get("DW_AT_name")
            if (die.tag == "DW_TAG_subprogram" and attribute is not None
                    and attribute.value == name.encode() and _span(die)):
                return unit, die
    return None, None


@functools.lru_cache(maxsize=None)
def function_start(elf_path, name="main"):
    """FunctionStart of `name` in elf_path's DWARF, or None without one."""
    with open(elf_path, "rb") as stream:
        elf = ELFFile(stream)
        if not elf.has_dwarf_info():
            return None
        dwarf = elf.get_dwarf_info()
        unit, die = _defining_die(dwarf, name)
        if die is None:
            return None
        low, high = _span(die)
        program = dwarf.line_program_for_CU(unit)
        rows = [entry.state for entry in program.get_entries()
                if entry.state is not None and not entry.state.end_sequence
                and low <= entry.state.address < high]
        if not rows:
            return None
        own_file = rows[0].file
        first_addresses = sorted({row.address for row in rows})[:PROLOGUE_ADDRESSES]
        lines = {row.line for row in rows
                 if row.is_stmt and row.file == own_file and row.address in first_addresses}
        files = program["file_entry"]
        # DWARF 5 numbers files from 0, earlier versions from 1.
        entry = files[own_file - (0 if program["version"] >= 5 else 1)]
        decl = die.attributes.get("DW_AT_decl_line")
        return FunctionStart(entry.name.decode(), decl.value if decl else None, lines)
