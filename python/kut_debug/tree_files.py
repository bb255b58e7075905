"""Files of the kvm-unit-tests tree a run used, relative to the current
directory, which is the tree: the log, the test's ELF, the console file."""

import os

from kut_load import kernel_file, qemu_options
from .errors import DebugError

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
    """The image given to QEMU with -kernel (the last one, as QEMU takes it)."""
    kernel = qemu_options.kernel_argument(argv)
    if not kernel:
        raise DebugError("the QEMU command has no -kernel option; give the test's ELF with --elf")
    return kernel


def elf_for_kernel(kernel):
    """The ELF with the test's symbols: X.elf beside X.flat (objcopy -O binary
    of it), X.efi.debug beside X.efi (its --only-keep-debug part), else the
    kernel itself (x86's and powerpc's kernels are ELF files)."""
    elf = kernel_file.symbol_file_name(kernel)
    if not os.path.isfile(elf):
        raise DebugError("%s does not exist (the ELF for -kernel %s); "
                         "give the test's ELF with --elf" % (elf, kernel))
    return elf


def checked_elf(path):
    if not os.path.isfile(path):
        raise DebugError("%s: no such ELF file" % path)
    return path
