"""The kut-load gdb command."""

import os

import gdb

from . import __version__, arches, boot, detect, loader, native, report
from .options import UsageError, parse, make_parser
from .plan import PlanError, plan_load
from .quoting import UnsafeName
from .target import GdbTarget, TargetError

# Failures a user can cause or fix; each becomes one gdb error line.
USER_ERRORS = (UsageError, native.NativeModuleError, TargetError, boot.DetectionError,
               PlanError, loader.LoadError, UnsafeName, OSError)


class KutLoadCommand(gdb.Command):
    """Load a kvm-unit-tests image's symbols where QEMU put the image.

Usage: kut-load [OPTIONS] ELF

Reads QEMU's boot loader from the stopped target, decodes where it jumps,
and runs add-symbol-file on ELF so that every section lands where the
image really is: a PIE linked at 0 is offset to the load address, an
image linked at its run address is loaded as it is. Prints what it loaded,
where, and how it found the address, and sets $kut_base to the load address.
Loading again replaces the symbols loaded before.

Start QEMU with -s -S (or -gdb tcp::PORT -S), then in gdb:
  target remote :1234
  kut-load arm/gic.elf
  break main
  continue

Options:
  --address ADDR  Where the image starts in the guest; skips detection.
  --dry-run       Print the add-symbol-file command and change nothing.
  --force         Load even if the checks fail.
  -v, --verbose   Show the boot code read, how it was decoded, and the sections.
  --version       Print kut-load's version.
  -h, --help      Show this help."""

    def __init__(self):
        super().__init__("kut-load", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, argument, from_tty):
        try:
            self.run(gdb.string_to_argv(argument))
        except USER_ERRORS as error:
            raise gdb.GdbError(report.sentence(error)) from None
        except ValueError as error:  # the native module's ElfError
            raise gdb.GdbError(report.sentence(error)) from None

    def run(self, argv):
        options = parse(argv)
        if options.help:
            gdb.write(self.__doc__ + "\n")
            return
        if options.version:
            gdb.write("kut-load %s\n" % __version__)
            return
        if not options.elf:
            raise UsageError("give the test's ELF file, as in 'kut-load arm/gic.elf'")
        elf_path = checked_path(options.elf)
        helper = native.load()
        image = helper.ElfImage(elf_path)
        target = GdbTarget()
        target_arch = target.arch()
        if not arches.matches(target_arch, image.machine_name):
            raise PlanError("%s is built for %s, but the target is %s"
                            % (elf_path, image.machine_name, target_arch))
        if options.address is not None:
            found = boot.LoadAddress(options.address, "given with --address")
        else:
            try:
                found = detect.find_load_address(target_arch, target, helper)
            except boot.DetectionError as error:
                if options.verbose:
                    report.listing(error.listing)
                raise
        plan = plan_load(image, elf_path, found.address, image.bits)
        if options.verbose:
            report.listing(found.listing)
            report.sections(plan)
        if options.dry_run:
            gdb.write(plan.add_symbol_file_command() + "\n")
            return
        loader.load(plan)
        gdb.set_convenience_variable("kut_base", plan.load_address)
        report.loaded(plan, found)


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
