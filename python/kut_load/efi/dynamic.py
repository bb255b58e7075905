"""X.efi's copy of the .dynamic section, against X.efi.debug's section table.

The dynamic entries hold the link addresses and sizes of .dynsym, .dynstr,
.hash, .rela, ...; another build or another test has other ones (every
global symbol is in .dynstr). Pure; the PE's bytes are untrusted, so every
read is bounded by the file and the section.
"""

DT_NULL = 0
# Tags whose value is the link address of a section of the ELF.
ADDRESS_TAGS = {4: "DT_HASH", 5: "DT_STRTAB", 6: "DT_SYMTAB", 7: "DT_RELA",
                17: "DT_REL", 0x6ffffef5: "DT_GNU_HASH"}
DT_STRTAB, DT_SYMTAB, DT_STRSZ = 5, 6, 10
# Size tags: (size tag, address tag) whose range ends where an ELF section ends.
RANGE_TAGS = {8: ("DT_RELASZ", 7), 18: ("DT_RELSZ", 17)}
# Far more entries than a linker writes; the loop stays bounded on a damaged file.
MAX_ENTRIES = 256


def pe_bytes(efi, address, length):
    """X.efi's file bytes at a link address, as far as the file holds them."""
    rva = address - efi.header.image_base
    for section in efi.header.sections:
        if section.rva <= rva < section.rva + section.raw_size:
            inside = rva - section.rva
            available = min(length, section.raw_size - inside)
            return efi.bytes_at(section.raw_offset + inside, available)
    # objcopy -O binary writes every section at its link address, also those
    # after the PE's last one (arm64's .dynsym).
    if rva >= 0 and all(s.raw_offset == s.rva for s in efi.header.sections):
        return efi.bytes_at(rva, length)
    return b""


def entries(data, word):
    """(tag, value) pairs of little-endian dynamic entries up to DT_NULL, or
    None when data ends first: then it is no dynamic section."""
    found = []
    for at in range(0, min(len(data) // (2 * word), MAX_ENTRIES) * 2 * word, 2 * word):
        tag = int.from_bytes(data[at:at + word], "little")
        if tag == DT_NULL:
            return found
        found.append((tag, int.from_bytes(data[at + word:at + 2 * word], "little")))
    return None


def mismatch(image, efi, carried):
    """What X.efi's .dynamic says that X.efi.debug's sections do not, or None
    (also when no .dynamic is among the sections the PE carries)."""
    section = next((s for s in carried if s.name == ".dynamic"), None)
    if section is None:
        return None
    found = entries(pe_bytes(efi, section.address, section.size), image.bits // 8)
    values = dict(found or ())
    if not all(tag in values for tag in (DT_STRTAB, DT_SYMTAB, DT_STRSZ)):
        return ("the PE holds no dynamic section at %#x, where its .dynamic is"
                % section.address)
    starts = {s.address: s for s in image.sections if s.allocated and s.size > 0}
    ends = {s.address + s.size for s in starts.values()}
    for tag, name in ADDRESS_TAGS.items():
        if tag in values and values[tag] not in starts:
            return ("the PE's .dynamic has %s %#x, where it has no section"
                    % (name, values[tag]))
    if DT_STRTAB in values and DT_STRSZ in values \
            and starts[values[DT_STRTAB]].size != values[DT_STRSZ]:
        return ("the PE's .dynamic has DT_STRSZ %#x, but its string table %s is %#x bytes"
                % (values[DT_STRSZ], starts[values[DT_STRTAB]].name,
                   starts[values[DT_STRTAB]].size))
    for tag, (name, address_tag) in RANGE_TAGS.items():
        if tag in values and address_tag in values \
                and values[address_tag] + values[tag] not in ends:
            return ("the PE's .dynamic has %s %#x, but no section of it ends at %#x"
                    % (name, values[tag], values[address_tag] + values[tag]))
    return None


def symbol_values(data, bits):
    """(st_value, st_size) of each entry of a little-endian ELF symbol table."""
    size, value_at, size_at, word = (24, 8, 16, 8) if bits == 64 else (16, 4, 8, 4)
    return [(int.from_bytes(data[at + value_at:at + value_at + word], "little"),
             int.from_bytes(data[at + size_at:at + size_at + word], "little"))
            for at in range(0, len(data) - size + 1, size)]


def main_mismatch(image, efi):
    """Whether X.efi's dynamic symbols lack X.efi.debug's main, or None (also
    when there is no main or no .dynsym in the PE's file). Tests of one tree
    often share their layout; main's address and size tell them apart."""
    main = image.find_symbol("main")
    table = next((s for s in image.sections
                  if s.name == ".dynsym" and s.allocated and s.size > 0), None)
    if main is None or table is None:
        return None
    data = pe_bytes(efi, table.address, table.size)
    if len(data) < table.size:
        return None
    if (main.address, main.size) not in symbol_values(data, image.bits):
        return ("its main (%#x, %#x bytes) is not among the PE's dynamic symbols"
                % (main.address, main.size))
    return None
