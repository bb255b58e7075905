"""The load plan of an EFI test: X.efi.debug's sections placed where the
firmware put X.efi. Pure: no gdb here.

The debug file is the ELF the PE image was made from, so an ELF address is
the PE header's ImageBase plus an RVA; in memory that RVA is at the loaded
base. kvm-unit-tests links at 0 and writes ImageBase 0, so the offset is
the loaded base itself.
"""

from .plan import LoadPlan, PlacedSection, PlanError


def plan_efi_load(image, efi, load_address, address_bits=64):
    """LoadPlan for image (X.efi.debug, read by the native ElfImage) with
    efi (efi_files.EfiImage) loaded at load_address."""
    header = efi.header
    if image.machine_name != header.machine_name:
        raise PlanError("%s is built for %s, but %s is a PE image for %s"
                        % (efi.debug_path, image.machine_name, efi.pe_path,
                           header.machine_name))
    pe_entry = header.image_base + header.entry_rva
    if image.entry != pe_entry:
        raise PlanError("%s does not belong to %s: its entry point is %#x, the PE "
                        "header's is %#x; rebuild both" % (efi.debug_path, efi.pe_path,
                                                           image.entry, pe_entry))
    mask = (1 << address_bits) - 1
    offset = load_address - header.image_base
    sections = tuple(
        PlacedSection(s.name, s.address, (s.address + offset) & mask, s.size,
                      s.writable, s.executable, s.has_contents)
        for s in image.sections if s.allocated)
    return LoadPlan(efi.debug_path, load_address, offset, sections)
