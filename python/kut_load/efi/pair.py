"""Whether X.efi.debug describes X.efi. Pure: no gdb here.

objcopy --only-keep-debug keeps no code, so the two are paired by what both
describe: the machine, the entry point, where each PE section lies among
the ELF's sections, the PE's .dynamic, which names the ELF's dynamic
sections, and main among the PE's dynamic symbols. kvm-unit-tests makes
X.efi from a few of X.so's sections (objcopy -j), so the ELF also has
sections the PE does not carry (.hash, .dynstr, .eh_frame, ...): those are
not in memory and only must not cross a PE section.
"""

from kut_load import arches
from kut_load.image.plan import PlanError
from kut_load.efi import dynamic


class Region:
    """Link addresses [start, end) one PE section takes in the loaded image."""
    __slots__ = ("name", "start", "end", "executable")

    def __init__(self, name, start, end, executable):
        self.name = name
        self.start = start
        self.end = end
        self.executable = executable

    def holds(self, low, high):
        return self.start <= low and high <= self.end

    def overlaps(self, low, high):
        return low < self.end and self.start < high


def regions(header):
    """The Region of each PE section, clipped to the next one and to SizeOfImage.
    A section right after the headers takes them too: a hand-written header
    is the first bytes of the ELF's .text (arm64, riscv64)."""
    ordered = sorted(header.sections, key=lambda s: s.rva)
    found = []
    for index, section in enumerate(ordered):
        limit = header.size_of_image
        if index + 1 < len(ordered):
            limit = min(limit, max(section.rva, ordered[index + 1].rva))
        end = min(section.rva + max(section.virtual_size, section.raw_size), limit)
        start = 0 if section.rva == header.size_of_headers else section.rva
        if end > section.rva:
            found.append(Region(section.name, header.image_base + start,
                                header.image_base + end, section.executable))
    return found


def spans(image):
    return [s for s in image.sections if s.allocated and s.size > 0]


def carried_sections(image, header):
    """The ELF's allocated sections that lie inside a PE section, so in memory."""
    places = regions(header)
    return [s for s in spans(image)
            if any(r.holds(s.address, s.address + s.size) for r in places)]


def check_pair(image, efi):
    """Raises PlanError unless X.efi.debug (image) describes X.efi (efi)."""
    header = efi.header
    elf_arch, pe_arch = arches.elf_name(image), arches.pe_name(header.machine)
    if elf_arch != pe_arch:
        raise PlanError("%s is built for %s, but %s is a PE image for %s"
                        % (efi.debug_path, elf_arch, efi.pe_path, pe_arch))

    def refuse(fact):
        raise PlanError("%s does not belong to %s: %s; rebuild both"
                        % (efi.debug_path, efi.pe_path, fact))

    pe_entry = header.image_base + header.entry_rva
    # Upstream links X.so with e_entry 0 (_start is local): 0 pairs by the code.
    if image.entry not in (0, pe_entry):
        refuse("its entry point is %#x, the PE header's is %#x" % (image.entry, pe_entry))
    places = regions(header)
    for section in spans(image):
        low, high = section.address, section.address + section.size
        inside = [r for r in places if r.holds(low, high)]
        crossed = [r for r in places if r.overlaps(low, high)]
        if crossed and not inside:
            refuse("its section %s (%#x-%#x) crosses the PE section %s (%#x-%#x)"
                   % (section.name, low, high, crossed[0].name, crossed[0].start,
                      crossed[0].end))
        if section.executable and inside and not inside[0].executable:
            refuse("its code section %s at %#x is in the PE's data section %s"
                   % (section.name, low, inside[0].name))
    carried = carried_sections(image, header)
    for region in places:
        named = [s for s in spans(image) if s.name == region.name]
        if named and not any(region.holds(s.address, s.address + s.size) for s in named):
            refuse("the PE section %s (%#x-%#x) does not hold its %s at %#x"
                   % (region.name, region.start, region.end, region.name, named[0].address))
        if region.executable and not any(
                s.executable and region.overlaps(s.address, s.address + s.size)
                for s in carried):
            refuse("the PE section %s at %#x is code, but it has no code there"
                   % (region.name, region.start))
    if not any(s.executable and s.address <= pe_entry < s.address + s.size for s in carried):
        refuse("it has no code at the PE entry point %#x" % pe_entry)
    mismatch = dynamic.mismatch(image, efi, carried) or dynamic.main_mismatch(image, efi)
    if mismatch:
        refuse(mismatch)
