"""Damaged copies of a real ELF file, for testing what reads ELF files.

Each variant function takes the bytes of a well-formed little-endian ELF32 or
ELF64 file (a sample guest) and returns bytes damaged in one way, edited
field by field with struct. VARIANTS maps each name to its function;
write_variants() writes them all, from the sample guests, to a directory.
"""

import os
import random
import struct

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUESTS_BUILD = os.path.join(os.environ.get("KUT_BUILD_DIR", os.path.join(REPO, "build")),
                            "tests", "guests")
SAMPLES = ("arm64", "arm")

SHT_PROGBITS = 1
SHT_RELA = 4
SHT_REL = 9
SHF_ALLOC = 0x2
SHN_XINDEX = 0xffff
EM_MIPS = 8  # an architecture no kvm-unit-tests image is built for

# Field names and struct formats of the ELF header after e_ident, and of one
# section header, for ELFCLASS32 (1) and ELFCLASS64 (2).
HEADER_FIELDS = ("e_type", "e_machine", "e_version", "e_entry", "e_phoff", "e_shoff",
                 "e_flags", "e_ehsize", "e_phentsize", "e_phnum", "e_shentsize",
                 "e_shnum", "e_shstrndx")
HEADER_FORMAT = {1: "<HHIIIIIHHHHHH", 2: "<HHIQQQIHHHHHH"}
SECTION_FIELDS = ("sh_name", "sh_type", "sh_flags", "sh_addr", "sh_offset", "sh_size",
                  "sh_link", "sh_info", "sh_addralign", "sh_entsize")
SECTION_FORMAT = {1: "<IIIIIIIIII", 2: "<IIQQQQIIQQ"}
IDENT_SIZE = 16


class NotApplicable(ValueError):
    """The file lacks what a variant damages (e.g. it has no relocations)."""


# --- Reading and rewriting headers -------------------------------------------

def elf_class(data):
    """1 for ELF32, 2 for ELF64; refuses what this module cannot edit."""
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] != 1:
        raise ValueError("not a little-endian ELF32 or ELF64 file")
    return data[4]


def word_bits(data):
    return 32 if elf_class(data) == 1 else 64


def header(data):
    """The ELF header's fields as a dict."""
    fmt = HEADER_FORMAT[elf_class(data)]
    return dict(zip(HEADER_FIELDS, struct.unpack_from(fmt, data, IDENT_SIZE)))


def with_header(data, **changes):
    """data with the given ELF header fields replaced."""
    fields = header(data)
    fields.update(changes)
    out = bytearray(data)
    struct.pack_into(HEADER_FORMAT[elf_class(data)], out, IDENT_SIZE,
                     *(fields[name] for name in HEADER_FIELDS))
    return bytes(out)


def section_headers(data):
    """Every section header's fields as a dict, in table order."""
    fmt = SECTION_FORMAT[elf_class(data)]
    top = header(data)
    return [dict(zip(SECTION_FIELDS,
                     struct.unpack_from(fmt, data, top["e_shoff"] + i * top["e_shentsize"])))
            for i in range(top["e_shnum"])]


def with_section(data, index, **changes):
    """data with the given fields of section header index replaced."""
    fmt = SECTION_FORMAT[elf_class(data)]
    top = header(data)
    fields = section_headers(data)[index]
    fields.update(changes)
    out = bytearray(data)
    struct.pack_into(fmt, out, top["e_shoff"] + index * top["e_shentsize"],
                     *(fields[name] for name in SECTION_FIELDS))
    return bytes(out)


def section_name(data, index):
    sections = section_headers(data)
    names = sections[header(data)["e_shstrndx"]]
    start = names["sh_offset"] + sections[index]["sh_name"]
    return data[start:data.index(b"\0", start)].decode()


def section_index(data, name):
    for index in range(len(section_headers(data))):
        if section_name(data, index) == name:
            return index
    raise NotApplicable("no section %s" % name)


def first_loaded_section(data):
    """Index of the first allocated section with bytes in the file (.text)."""
    for index, section in enumerate(section_headers(data)):
        if (section["sh_flags"] & SHF_ALLOC and section["sh_type"] == SHT_PROGBITS
                and section["sh_size"] > 0):
            return index
    raise NotApplicable("no allocated PROGBITS section")


def renamed(data, index, new_name):
    """data with section index named new_name: the section name table is
    copied to the end of the file with new_name appended, so any name fits."""
    top = header(data)
    names_index = top["e_shstrndx"]
    names = section_headers(data)[names_index]
    table = data[names["sh_offset"]:names["sh_offset"] + names["sh_size"]]
    name_offset = len(table)
    table += new_name.encode() + b"\0"
    out = with_section(data, names_index, sh_offset=len(data), sh_size=len(table))
    out = with_section(out, index, sh_name=name_offset)
    return out + table


# --- The variants ------------------------------------------------------------

def empty_file(data):
    """A file of zero bytes."""
    return b""


def random_bytes(data):
    """As many random bytes as the original (fixed seed): no ELF magic."""
    return random.Random(1).randbytes(len(data))


def random_after_ident(data):
    """The original e_ident (magic, class, encoding), random bytes after it."""
    return data[:IDENT_SIZE] + random.Random(2).randbytes(len(data) - IDENT_SIZE)


def truncated_in_header(data):
    """Cut in the middle of the ELF header."""
    return data[:header(data)["e_ehsize"] // 2 + 4]


def truncated_in_section_headers(data):
    """Cut two and a half entries into the section header table."""
    top = header(data)
    return data[:top["e_shoff"] + top["e_shentsize"] * 5 // 2]


def truncated_in_text(data):
    """Cut in the middle of the first loaded section's contents (and so
    before the section header table, which the linker puts at the end)."""
    text = section_headers(data)[first_loaded_section(data)]
    return data[:text["sh_offset"] + text["sh_size"] // 2]


def truncated_in_text_with_headers(data):
    """Cut in the middle of the first loaded section's contents, with the
    section header table kept (moved to the cut): the headers read, the
    contents of that section and of all after it lie past the end."""
    top = header(data)
    text = section_headers(data)[first_loaded_section(data)]
    cut = (text["sh_offset"] + text["sh_size"] // 2) & ~7
    table = data[top["e_shoff"]:top["e_shoff"] + top["e_shnum"] * top["e_shentsize"]]
    return with_header(data[:cut] + table, e_shoff=cut)


def section_headers_past_end(data):
    """e_shoff far past the end of the file."""
    return with_header(data, e_shoff=(1 << (word_bits(data) - 1)) + 0x1000)


def section_headers_offset_wraps(data):
    """e_shoff so large that e_shoff + the table's size wraps around."""
    return with_header(data, e_shoff=(1 << word_bits(data)) - 0x40)


def section_count_0xffff(data):
    """e_shnum = 0xffff: a table far longer than the file."""
    return with_header(data, e_shnum=0xffff)


def extended_section_count_huge(data):
    """e_shnum = 0, so the count is section 0's sh_size (extended numbering),
    and that is 2^63 (2^31 for ELF32)."""
    data = with_section(data, 0, sh_size=1 << (word_bits(data) - 1))
    return with_header(data, e_shnum=0)


def extended_section_count_overflows(data):
    """e_shnum = 0 and section 0's sh_size as large as can be multiplied by
    the entry size without wrapping, so that adding e_shoff wraps."""
    top = header(data)
    count = ((1 << word_bits(data)) - 1) // top["e_shentsize"]
    return with_header(with_section(data, 0, sh_size=count), e_shnum=0)


def section_header_size_wrong(data):
    """e_shentsize one byte short of the real entry size."""
    return with_header(data, e_shentsize=header(data)["e_shentsize"] - 1)


def no_section_headers(data):
    """e_shoff = 0 and e_shnum = 0: valid ELF, but nothing to place."""
    return with_header(data, e_shoff=0, e_shnum=0, e_shstrndx=0)


def program_headers_past_end(data):
    """e_phoff far past the end of the file."""
    return with_header(data, e_phoff=(1 << (word_bits(data) - 1)) + 0x1000)


def section_size_huge(data):
    """The first loaded section's sh_size is 2^63 (2^31 for ELF32)."""
    return with_section(data, first_loaded_section(data), sh_size=1 << (word_bits(data) - 1))


def section_offset_past_end(data):
    """The first loaded section's sh_offset is past the end of the file."""
    return with_section(data, first_loaded_section(data), sh_offset=len(data) + 0x1000)


def section_end_wraps(data):
    """The first loaded section's sh_offset + sh_size wraps around to a small number."""
    return with_section(data, first_loaded_section(data),
                        sh_offset=(1 << word_bits(data)) - 0x10, sh_size=0x100)


def overlapping_sections(data):
    """The second allocated PROGBITS section moved onto the first one's address."""
    loaded = [i for i, s in enumerate(section_headers(data))
              if s["sh_flags"] & SHF_ALLOC and s["sh_type"] == SHT_PROGBITS and s["sh_size"]]
    first = section_headers(data)[loaded[0]]
    return with_section(data, loaded[1], sh_addr=first["sh_addr"])


def nothing_allocated(data):
    """SHF_ALLOC cleared on every section."""
    for index, section in enumerate(section_headers(data)):
        data = with_section(data, index, sh_flags=section["sh_flags"] & ~SHF_ALLOC)
    return data


def names_index_out_of_range(data):
    """e_shstrndx names a section past the end of the table."""
    return with_header(data, e_shstrndx=header(data)["e_shnum"] + 3)


def names_index_extended_out_of_range(data):
    """e_shstrndx = SHN_XINDEX, so the index is section 0's sh_link, which is huge."""
    return with_header(with_section(data, 0, sh_link=0xfffffff0), e_shstrndx=SHN_XINDEX)


def names_index_not_a_string_table(data):
    """e_shstrndx names the first loaded section (code, not SHT_STRTAB)."""
    return with_header(data, e_shstrndx=first_loaded_section(data))


def name_past_string_table(data):
    """The first loaded section's sh_name points past the end of .shstrtab."""
    names = section_headers(data)[header(data)["e_shstrndx"]]
    return with_section(data, first_loaded_section(data), sh_name=names["sh_size"] + 0x100)


def symbol_names_link_bad(data):
    """.symtab's sh_link (its string table) names a section that does not exist."""
    return with_section(data, section_index(data, ".symtab"), sh_link=0xfff0)


def relocation_section(data):
    """Index of the first allocated SHT_REL or SHT_RELA section."""
    for index, section in enumerate(section_headers(data)):
        if section["sh_flags"] & SHF_ALLOC and section["sh_type"] in (SHT_REL, SHT_RELA):
            return index
    raise NotApplicable("no allocated relocation section")


def relocations_ragged(data):
    """The relocation section's sh_size is not a multiple of its entry size."""
    index = relocation_section(data)
    return with_section(data, index, sh_size=section_headers(data)[index]["sh_size"] - 1)


def relocations_entry_size_zero(data):
    """The relocation section's sh_entsize is 0."""
    return with_section(data, relocation_section(data), sh_entsize=0)


def symbols_entry_size_wrong(data):
    """.symtab's sh_entsize is 7, which no symbol table has."""
    return with_section(data, section_index(data, ".symtab"), sh_entsize=7)


def other_architecture(data):
    """e_machine changed to MIPS; the file is otherwise intact."""
    return with_header(data, e_machine=EM_MIPS)


INJECTED_COMMAND = "echo KUT-INJECTED"


def newline_in_section_name(data, command=INJECTED_COMMAND):
    """.data renamed to '.data', a newline and a gdb command: a name that
    runs command if it reaches gdb.execute unchecked."""
    return renamed(data, section_index(data, ".data"), ".data\n" + command)


def quote_in_section_name(data):
    """.data renamed to hold a quote, spaces and gdb option syntax."""
    return renamed(data, section_index(data, ".data"), ".data' -s .text 0 '")


VARIANTS = {function.__name__: function for function in (
    empty_file, random_bytes, random_after_ident,
    truncated_in_header, truncated_in_section_headers, truncated_in_text,
    truncated_in_text_with_headers,
    section_headers_past_end, section_headers_offset_wraps, section_count_0xffff,
    extended_section_count_huge, extended_section_count_overflows,
    section_header_size_wrong, no_section_headers, program_headers_past_end,
    section_size_huge, section_offset_past_end, section_end_wraps,
    overlapping_sections, nothing_allocated,
    names_index_out_of_range, names_index_extended_out_of_range,
    names_index_not_a_string_table, name_past_string_table, symbol_names_link_bad,
    symbols_entry_size_wrong, relocations_ragged, relocations_entry_size_zero,
    other_architecture, newline_in_section_name, quote_in_section_name)}


def sample_path(arch):
    return os.path.join(GUESTS_BUILD, arch, "sample.elf")


def variants(data):
    """name -> damaged bytes, for every variant that applies to data."""
    damaged = {}
    for name, function in VARIANTS.items():
        try:
            damaged[name] = function(data)
        except NotApplicable:
            continue
    return damaged


def write_variants(directory, samples=SAMPLES):
    """Writes every variant of each sample guest's ELF to directory as
    ARCH-VARIANT.elf; returns {'ARCH-VARIANT': path}."""
    os.makedirs(directory, exist_ok=True)
    paths = {}
    for arch in samples:
        with open(sample_path(arch), "rb") as sample:
            original = sample.read()
        for name, damaged in variants(original).items():
            key = "%s-%s" % (arch, name)
            paths[key] = os.path.join(directory, key + ".elf")
            with open(paths[key], "wb") as out:
                out.write(damaged)
    return paths
