"""Files of the kvm-unit-tests tree a run used, relative to the current
directory, which is the tree: the log, the test's ELF, the console file."""

import os

from kut_load.qemu import kernel_file, options as qemu_options
from kut_debug.errors import DebugError

LOG_DIR = "logs"


def log_path(target):
    """A log path as given, or logs/TARGET.log for a test name."""
    if target.endswith(".log") or os.sep in target or os.path.isfile(target):
        return target
    return os.path.join(LOG_DIR, target + ".log")


def console_path_for_log(path):
    """logs/TEST.console beside logs/TEST.log."""
    stem = path[:-len(".log")] if path.endswith(".log") else path
    return stem + ".console"


def kernel_of(argv):
    """The image given to QEMU with -kernel (the last one, as QEMU takes it),
    else the EFI application on a FAT directory drive (efi_on_fat_drive)."""
    kernel = qemu_options.kernel_argument(argv)
    if kernel:
        return kernel
    efi = efi_on_fat_drive(argv)
    if efi:
        return efi
    raise DebugError("the QEMU command has no -kernel option nor an EFI application on a "
                     "FAT directory drive; give the test's ELF with --elf")


def fat_directories(argv):
    """Directories QEMU shows as FAT disks: -drive file.dir=DIR,file.driver=vvfat
    (kvm-unit-tests' EFI run scripts) or -drive file=fat:[rw:]DIR."""
    found = []
    for item in qemu_options.items(argv[1:]):
        if item.name != "-drive" or not item.value:
            continue
        keys = dict(part.partition("=")[::2] for part in item.value.split(","))
        if keys.get("file.driver") == "vvfat" and keys.get("file.dir"):
            found.append(keys["file.dir"])
        elif keys.get("file", "").startswith("fat:"):
            found.append(keys["file"][len("fat:"):].split("rw:", 1)[-1])
    return found


def efi_on_fat_drive(argv):
    """The test's X.efi for a command whose firmware finds the test on a FAT
    directory: arm/efi/run copies X.efi there (the UEFI shell's startup.nsh
    runs it), x86/efi/run copies it as EFI/BOOT/BOOTX64.EFI. The copy has no
    DWARF beside it, so the file of the same bytes below the current
    directory, with X.efi.debug beside it, is taken; else the copy."""
    for directory in fat_directories(argv):
        for root, _, names in os.walk(directory):
            for name in sorted(names):
                if name.lower().endswith(".efi"):
                    copy = os.path.join(root, name)
                    return original_of_copy(copy) or copy
    return None


def original_of_copy(copy):
    """A file TEST_DIR/X.efi with the bytes of copy and X.efi.debug beside it."""
    try:
        with open(copy, "rb") as data:
            contents = data.read()
        directories = sorted(entry for entry in os.listdir(".") if os.path.isdir(entry))
    except OSError:
        return None
    for directory in directories:
        for name in sorted(os.listdir(directory)):
            candidate = os.path.join(directory, name)
            if not name.endswith(".efi") or not os.path.isfile(candidate + ".debug"):
                continue
            with open(candidate, "rb") as data:
                if data.read() == contents:
                    return candidate
    return None


def elf_for_kernel(kernel):
    """The ELF with the test's symbols: X.elf beside X.flat (objcopy -O binary
    of it), X.efi.debug beside X.efi (its --only-keep-debug part), else the
    kernel itself (x86's and powerpc's kernels are ELF files)."""
    elf = kernel_file.symbol_file_name(kernel)
    if not os.path.exists(kernel) and not os.path.isfile(elf):
        raise DebugError("neither %s, the test's -kernel, nor its ELF %s exists; build the "
                         "tests (make) or give the test's ELF with --elf" % (kernel, elf))
    if not os.path.isfile(elf):
        raise DebugError("%s does not exist (the ELF for -kernel %s); "
                         "give the test's ELF with --elf" % (elf, kernel))
    return elf


def checked_elf(path):
    if not os.path.isfile(path):
        raise DebugError("%s: no such ELF file" % path)
    return path
