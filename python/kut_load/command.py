"""The kut-load gdb command."""

import os

import gdb

from . import __version__, arches, debug_file, detect, kernel_file, loader, native, report
from . import qemu_process, verify
from .boot import DetectionError, LoadAddress
from .errors import TargetError
from .options import UsageError, parse
from .plan import PlanError, image_start, plan_load
from .quoting import UnsafeName
from .target import GdbTarget

# Failures a user can cause or fix; each becomes one gdb error line.
USER_ERRORS = (UsageError, native.NativeModuleError, TargetError, DetectionError,
               PlanError, loader.LoadError, UnsafeName, verify.MismatchError, OSError)


class KutLoadCommand(gdb.Command):
    """Load a kvm-unit-tests image's symbols where QEMU put the image.

Usage: kut-load [OPTIONS] [ELF]

Finds where QEMU loaded the test image and runs add-symbol-file on ELF so
that every section lands where the image really is: a PIE linked at 0 is
offset to the load address, an image linked at its run address is loaded
as it is. Prints what it loaded, where, and how it found the address, and
sets $kut_base to the load address. Loading again replaces the symbols
loaded before; breakpoints stay.

Without ELF, asks QEMU which file it loaded (monitor info roms) and uses
the ELF beside it: X.flat -> X.elf, X.efi -> X.efi.debug, looked up from
gdb's working directory, then from QEMU's.

The load address comes from decoding QEMU's boot loader where QEMU placed
it, so it works at any moment and from any vCPU; then from QEMU's ROM list;
then from the image's own code in memory. Before loading, the ELF's code
is compared with target memory (bytes the image relocates are skipped).

Start QEMU with -s -S (or -gdb tcp::PORT -S), then in gdb:
  target remote :1234
  kut-load arm/gic.elf
  break main
  continue

Options:
  --address ADDR  Where the image starts in the guest; skips detection.
  --dry-run       Print the add-symbol-file command and change nothing.
  --force         Load even if target memory does not match the ELF.
  -v, --verbose   Show the boot code read, how it was decoded, the sections
                  and the checks.
  --version       Print kut-load's version.
  -h, --help      Show this help.

See also: set kut-load auto on, to load symbols whenever gdb connects."""

    def __init__(self):
        super().__init__("kut-load", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, argument, from_tty):
        try:
            self.run(gdb.string_to_argv(argument))
        except USER_ERRORS as error:
            raise gdb.GdbError(report.sentence(error)) from None
        except ValueError as error:  # the native module's ElfError
            raise gdb.GdbError(report.sentence(explain_elf_error(error))) from None

    def run(self, argv):
        options = parse(argv)
        if options.help:
            gdb.write(self.__doc__ + "\n")
            return
        if options.version:
            gdb.write("kut-load %s\n" % __version__)
            return
        helper = native.load()
        target = GdbTarget()
        arch = target.arch()
        elf_path = checked_path(options.elf) if options.elf else None
        image = helper.ElfImage(elf_path) if elf_path else None
        if image is not None:
            check_architecture(image, arch)
        found = self.load_address(options, arch, target, helper, image)
        if image is None:
            elf_path = find_elf_for_kernel(target, found)
            image = helper.ElfImage(elf_path)
            check_architecture(image, arch)
        symbols_path, warning = debug_file.symbol_file(image, elf_path)
        plan = plan_load(image, symbols_path, found.address_for(image), image.bits)
        if options.verbose:
            report.sections(plan)
        self.check_memory(options, image, plan, target)
        if options.dry_run:
            gdb.write(plan.add_symbol_file_command() + "\n")
            return
        loader.load(plan)
        gdb.set_convenience_variable("kut_base", plan.load_address)
        if warning:
            report.warning(warning)
        report.loaded(plan, found)

    def load_address(self, options, arch, target, helper, image):
        if options.address is not None:
            return LoadAddress(options.address, "given with --address")
        try:
            found = detect.find_load_address(arch, target, helper)
        except DetectionError as error:
            if options.verbose:
                report.listing(error.listing)
            if image is None:
                raise
            found = find_by_contents(arch, image, target, error)
        if options.verbose:
            report.listing(found.listing)
            report.line("load address %#x, %s" % (found.address, found.how))
        return found

    def check_memory(self, options, image, plan, target):
        try:
            verify.check(image, plan, target.read_memory)
            if options.verbose:
                report.line("the ELF's code matches target memory at %#x" % plan.load_address)
        except (verify.MismatchError, TargetError) as error:
            if not options.force:
                raise
            report.warning("%s; loading anyway (--force)" % report.sentence(error))


def find_by_contents(arch, image, target, detection_error):
    start = image_start(image)
    windows = verify.code_windows(image)
    if not windows:
        raise detection_error
    first = windows[0]
    code = image.section_bytes(first.section.index)[:64]
    try:
        return detect.find_by_contents(arch, image, start, target.read_memory,
                                       (first.link_address() - start, code),
                                       target.cpu_pcs())
    except DetectionError as error:
        raise DetectionError("%s; %s" % (detection_error, error)) from None


def find_elf_for_kernel(target, found):
    name = found.kernel_name or kernel_file.kernel_name(target.roms(), found.address)
    if not name:
        raise UsageError("QEMU did not say which file it loaded at %#x; give the test's "
                         "ELF file, as in 'kut-load arm/gic.elf'" % found.address)
    directories = [os.getcwd(), qemu_process.working_directory(target.connection_details())]
    return kernel_file.locate(name, directories)


def explain_elf_error(error):
    """Adds the likely fix when the file given is QEMU's flat image."""
    text = str(error)
    if "not an ELF file" in text and ".flat:" in text:
        text += "; QEMU boots the .flat, but the symbols are in the .elf beside it"
    return text


def check_architecture(image, target_arch):
    if not arches.matches(target_arch, image.machine_name):
        raise PlanError("%s is built for %s, but the target is %s"
                        % (image.path, image.machine_name, target_arch))


def checked_path(name):
    """The absolute path of an existing, readable regular file."""
    path = os.path.abspath(os.path.expanduser(name))
    if not os.path.exists(path):
        raise UsageError("%s: no such file" % path)
    if os.path.isdir(path):
        raise UsageError("%s is a directory; give the test's .elf file" % path)
    if not os.access(path, os.R_OK):
        raise UsageError("%s is not readable" % path)
    return path
