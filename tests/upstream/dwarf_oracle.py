"""Where an ELF's own DWARF puts the start of a function: the oracle the
upstream tier checks gdb's stops against, read with pyelftools, independent
of kut-load's native reader and of gdb."""

import functools
import os

from elftools.elf.elffile import ELFFile

# gdb stops a `break FUNCTION` past the prologue: a line of the first few
# addresses of the function's line table rows. A function inlined there is
# shown at its own line (s390x: test_facility() of lib/asm/facility.h).
PROLOGUE_ADDRESSES = 3


class FunctionStart:
    """A function's file (base name), declaration line, and the (file base
    name, line) places a breakpoint on it may stop at."""

    def __init__(self, file, decl_line, places):
        self.file, self.decl_line, self.places = file, decl_line, frozenset(places)

    def holds(self, file, line):
        return (os.path.basename(file), line) in self.places

    def __repr__(self):
        return ",".join("%s:%d" % place for place in sorted(self.places))


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
        first_addresses = sorted({row.address for row in rows})[:PROLOGUE_ADDRESSES]
        places = {(_file_name(program, row.file), row.line) for row in rows
                  if row.is_stmt and row.address in first_addresses}
        decl = die.attributes.get("DW_AT_decl_line")
        return FunctionStart(_file_name(program, rows[0].file), decl.value if decl else None,
                             places)


def _file_name(program, number):
    """The base name of line-table file `number`; DWARF 5 counts from 0, earlier from 1."""
    entry = program["file_entry"][number - (0 if program["version"] >= 5 else 1)]
    return os.path.basename(entry.name.decode())


def symbol_value(elf, name):
    with open(elf, "rb") as stream:
        symbols = ELFFile(stream).get_section_by_name(".symtab")
        return symbols.get_symbol_by_name(name)[0]["st_value"]
