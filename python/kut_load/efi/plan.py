"""The load plan of an EFI test: X.efi.debug's sections placed where the
firmware put X.efi. Pure: no gdb here.

The debug file is the ELF the PE image was made from, so an ELF address is
the PE header's ImageBase plus an RVA; in memory that RVA is at the loaded
base. kvm-unit-tests links at 0 and writes ImageBase 0, so the offset is
the loaded base itself.
"""

from kut_load.image.plan import place
from kut_load.efi.pair import carried_sections, check_pair


def plan_efi_load(image, efi, load_address):
    """LoadPlan for image (X.efi.debug, read by the native ElfImage) with
    efi (efi.files.EfiImage) loaded at load_address. Only the sections the
    PE carries are placed: the others are not in memory (gdb's -o still
    moves them along, and nothing of the test's DWARF is in them)."""
    check_pair(image, efi)
    offset = load_address - efi.header.image_base
    return place(carried_sections(image, efi.header), efi.debug_path, load_address, offset,
                 image.bits)
