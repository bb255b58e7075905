"""The load plan of an EFI test: X.efi.debug's sections placed where the
firmware put X.efi. Pure: no gdb here.

The debug file is the ELF the PE image was made from, so an ELF address is
the PE header's ImageBase plus an RVA; in memory that RVA is at the loaded
base. kvm-unit-tests links at 0 and writes ImageBase 0, so the offset is
the loaded base itself.
"""

from .. import arches
from ..plan import LoadPlan, PlacedSection, PlanError


def check_pair(image, efi):
    """Refuses an X.efi.debug (image) that does not describe X.efi (efi).

    X.efi.debug comes from objcopy --only-keep-debug, which keeps no code,
    so the two are paired by what both describe: the machine, the entry
    point, and where the code is. Upstream kvm-unit-tests links the ELF
    with e_entry 0 (its hand-written PE header names _start), so an entry
    point of 0 pairs with any.
    """
    header = efi.header
    elf_arch, pe_arch = arches.elf_name(image), arches.pe_name(header.machine)
    if elf_arch != pe_arch:
        raise PlanError("%s is built for %s, but %s is a PE image for %s"
                        % (efi.debug_path, elf_arch, efi.pe_path, pe_arch))
    pe_entry = header.image_base + header.entry_rva
    if image.entry not in (0, pe_entry):
        raise PlanError("%s does not belong to %s: its entry point is %#x, the PE "
                        "header's is %#x; rebuild both" % (efi.debug_path, efi.pe_path,
                                                           image.entry, pe_entry))
    code = [(s.address, s.address + s.size) for s in image.sections
            if s.allocated and s.executable and s.size > 0]
    for section in header.sections:
        start = header.image_base + section.rva
        if section.executable and not any(low <= start < high for low, high in code):
            raise PlanError("%s does not belong to %s: the PE section %s at %#x is code, "
                            "but %s has no code there; rebuild both"
                            % (efi.debug_path, efi.pe_path, section.name, start,
                               efi.debug_path))
    if not any(low <= pe_entry < high for low, high in code):
        raise PlanError("%s does not belong to %s: it has no code at the PE entry point "
                        "%#x; rebuild both" % (efi.debug_path, efi.pe_path, pe_entry))
    end = max((s.address + s.size for s in image.sections if s.allocated), default=0)
    if end - header.image_base > header.size_of_image:
        raise PlanError("%s does not belong to %s: its sections end at %#x, past the "
                        "PE image's %#x bytes; rebuild both"
                        % (efi.debug_path, efi.pe_path, end, header.size_of_image))


def plan_efi_load(image, efi, load_address):
    """LoadPlan for image (X.efi.debug, read by the native ElfImage) with
    efi (efi.files.EfiImage) loaded at load_address."""
    check_pair(image, efi)
    mask = (1 << image.bits) - 1
    offset = load_address - efi.header.image_base
    sections = tuple(
        PlacedSection(s.name, s.address, (s.address + offset) & mask, s.size,
                      s.writable, s.executable, s.has_contents)
        for s in image.sections if s.allocated)
    return LoadPlan(efi.debug_path, load_address, offset, sections)
