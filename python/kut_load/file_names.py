"""How kvm-unit-tests names a test's files: X.flat, which QEMU boots, and
X.elf, its symbols; X.efi, the PE image a UEFI firmware loads, and
X.efi.debug, its DWARF (objcopy --only-keep-debug). Pure: kut-debug asks it
too."""

FLAT = ".flat"
ELF = ".elf"
EFI = ".efi"
EFI_DEBUG = EFI + ".debug"
# Every file of a test, longest suffix first where one ends another.
SUFFIXES = (EFI_DEBUG, FLAT, ELF, EFI)
# The files a test's symbols are read from (the .flat has none).
SYMBOL_FILE_SUFFIXES = (ELF, EFI, EFI_DEBUG)


def is_efi(path):
    """X.efi or its X.efi.debug: a test the firmware loads, not QEMU."""
    return path.endswith((EFI, EFI_DEBUG))


def stem(path):
    """path without the test file suffix it ends with (arm/gic.efi.debug -> arm/gic)."""
    for suffix in SUFFIXES:
        if path.endswith(suffix):
            return path[:-len(suffix)]
    return path


def symbol_file_name(kernel):
    """The file with the symbols of the file QEMU boots: X.flat -> X.elf,
    X.efi -> X.efi.debug; an ELF stays as it is."""
    if kernel.endswith(FLAT):
        return kernel[:-len(FLAT)] + ELF
    if kernel.endswith(EFI):
        return kernel + EFI_DEBUG[len(EFI):]
    return kernel


def efi_of_flat(kernel):
    """The EFI build's image of the test whose ELF build boots X.flat."""
    return kernel[:-len(FLAT)] + EFI if kernel.endswith(FLAT) else kernel
