"""Files of the kvm-unit-tests tree a run used, relative to the current
directory, which is the tree: the log, the test's ELF, the console file."""

import os

from kut_load.efi import boot_disk
from kut_load import file_names
from kut_load.qemu import options as qemu_options
from kut_debug.errors import DebugError


def log_directory():
    """Where run_tests.sh writes its logs: $unittest_log_dir, else logs."""
    return os.environ.get("unittest_log_dir") or "logs"


def log_path(target):
    """A log path as given, or log_directory()/TARGET.log for a test name."""
    if target.endswith(".log") or os.sep in target or os.path.isfile(target):
        return target
    return os.path.join(log_directory(), target + ".log")


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


def efi_on_fat_drive(argv):
    """The test's X.efi for a command whose firmware boots it from a FAT
    directory drive (kut_load.efi.boot_disk, the rule bare kut-load uses,
    with the current directory, the tree, as QEMU's): the original with
    X.efi.debug beside it, else the copy, whose missing DWARF is then named."""
    images, looked_at = boot_disk.booted_images(argv, [os.getcwd()])
    if images:
        return os.path.relpath(images[0])
    return os.path.relpath(looked_at[0]) if looked_at else None


def elf_for_kernel(kernel):
    """The ELF with the test's symbols: X.elf beside X.flat (objcopy -O binary
    of it), X.efi.debug beside X.efi (its --only-keep-debug part), else the
    kernel itself (x86's and powerpc's kernels are ELF files)."""
    elf = file_names.symbol_file_name(kernel)
    if not os.path.exists(kernel) and not os.path.isfile(elf):
        raise DebugError("neither %s, the test's -kernel, nor its ELF %s exists; build the "
                         "tests (make) or give the test's ELF with --elf" % (kernel, elf))
    if not os.path.isfile(elf):
        raise DebugError("%s does not exist (the ELF for -kernel %s); "
                         "give the test's ELF with --elf" % (elf, kernel))
    return elf


def checked_elf(path):
    """path of --elf, refused before anything starts when it is neither an ELF
    file nor an EFI test's PE image (kut-load reads it whole later, in gdb)."""
    if not os.path.isfile(path):
        raise DebugError("%s: no such ELF file" % path)
    try:
        with open(path, "rb") as stream:
            magic = stream.read(4)
    except OSError as error:
        raise DebugError("%s: cannot read it (%s)" % (path, error.strerror)) from None
    if magic != b"\x7fELF" and not magic.startswith(b"MZ"):
        hint = "; its symbols are in the .elf beside it" if path.endswith(".flat") else ""
        raise DebugError("%s is not an ELF file (no ELF magic at its start)%s" % (path, hint))
    return path
