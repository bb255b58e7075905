"""What kut-load does, imported at its first use (see commands.py)."""

import os

import gdb

from . import __version__, arches, debug_file, detect, loader, native, report, verify
from .boot import DetectionError, LoadAddress
from .errors import TargetError
from .options import UsageError, parse
from .plan import PlanError, image_start, plan_load
from .quoting import UnsafeName
from .target import GdbTarget

# Failures a user can cause or fix; each becomes one gdb error line.
USER_ERRORS = (UsageError, native.NativeModuleError, TargetError, DetectionError,
               PlanError, loader.LoadError, UnsafeName, verify.MismatchError, OSError)


def invoke(argument):
    """Runs kut-load on gdb's argument string; user errors become one gdb error line."""
    try:
        run(gdb.string_to_argv(argument))
    except USER_ERRORS as error:
        raise gdb.GdbError(report.sentence(error)) from None
    except ValueError as error:  # the native module's ElfError
        raise gdb.GdbError(report.sentence(explain_elf_error(error))) from None


def auto_load():
    """kut-load with no argument, for `set kut-load auto on`: a failure is a
    warning, because it must not break the stop that triggered it."""
    try:
        invoke("")
    except gdb.GdbError as error:
        report.warning("automatic load failed: %s" % error)


def run(argv):
    options = parse(argv)
    if options.help:
        gdb.execute("help kut-load")
        return
    if options.version:
        gdb.write("kut-load %s\n" % __version__)
        return
    given_path = checked_path(options.elf) if options.elf else None
    helper = native.load()
    target = GdbTarget()
    arch = target.arch()
    paths = [given_path] if given_path else elfs_of_running_kernel(target)
    plan, found, warning = plan_first_matching(options, target, arch, helper, paths)
    if options.dry_run:
        gdb.write(plan.add_symbol_file_command() + "\n")
        return
    loader.load(plan)
    gdb.set_convenience_variable("kut_base", plan.load_address)
    if warning:
        report.warning(warning)
    report.loaded(plan, found)


def plan_first_matching(options, target, arch, helper, paths):
    """The plan for the first path whose code is what the guest runs; with
    none, the first path's mismatch. Several paths come from a relative
    -kernel name found both beside gdb and beside QEMU."""
    first_mismatch = None
    for elf_path in paths:
        efi = efi_image_of(elf_path)
        planner = plan_flat if efi is None else plan_efi
        try:
            return planner(options, target, arch, helper, efi or elf_path)
        except verify.MismatchError as mismatch:
            first_mismatch = first_mismatch or mismatch
    raise first_mismatch


def plan_flat(options, target, arch, helper, elf_path):
    """(plan, how the address was found, warning) for an image QEMU loaded with -kernel."""
    image = helper.ElfImage(elf_path)
    check_architecture(image, arch)
    found = load_address(options, arch, target, helper, image)
    symbols_path, warning = debug_file.symbol_file(image, elf_path)
    plan = plan_load(image, symbols_path, found.address_for(image), image.bits)
    if options.verbose:
        report.sections(plan)
    checked_or_forced(options, lambda: verify.check(image, plan, target.read_memory),
                      "the ELF's code matches target memory at %#x" % plan.load_address)
    return plan, found, warning


def efi_image_of(path):
    """EfiImage for X.efi or X.efi.debug, else None; only then are the EFI
    modules imported, which cost more than the rest of a kut-load."""
    with open(path, "rb") as image:
        magic = image.read(2)
    if magic != b"MZ" and not path.endswith(".efi.debug"):
        return None
    from . import efi_files
    return efi_files.locate(path)


def plan_efi(options, target, arch, helper, efi):
    """(plan, how, no warning) for X.efi / X.efi.debug: the firmware chose the
    address, and finding it compares the image in memory with X.efi already."""
    from . import boot_efi
    from .efi_plan import plan_efi_load
    image = helper.ElfImage(efi.debug_path)
    check_architecture(image, arch)
    if options.address is not None:
        found = LoadAddress(options.address, "given with --address")
        checked_or_forced(options, lambda: boot_efi.check(target, efi, found.address),
                          "%s matches target memory at %#x" % (efi.pe_path, found.address))
    else:
        try:
            found = boot_efi.find(target, efi)
        except DetectionError as error:
            if options.verbose:
                report.listing(error.listing)
            raise
        if options.verbose:
            report.listing(found.listing)
    plan = plan_efi_load(image, efi, found.address, image.bits)
    if options.verbose:
        report.sections(plan)
    return plan, found, None


def load_address(options, arch, target, helper, image):
    if options.address is not None:
        return LoadAddress(options.address, "given with --address")
    try:
        found = detect.find_load_address(arch, target, helper)
    except DetectionError as error:
        if options.verbose:
            report.listing(error.listing)
        found = find_by_contents(arch, image, target, error)
    if options.verbose:
        report.listing(found.listing)
        report.line("load address %#x, %s" % (found.address, found.how))
    return found


def checked_or_forced(options, check, success):
    """Runs a memory check; with --force a failure is only a warning."""
    try:
        check()
        if options.verbose:
            report.line(success)
    except (verify.MismatchError, TargetError) as error:
        if not options.force:
            raise
        report.warning("%s; loading anyway (--force)" % report.sentence(error))


def find_by_contents(arch, image, target, detection_error):
    start = image_start(image)
    first = verify.start_of_code(image)
    if first is None:
        raise detection_error
    code = image.section_bytes(first.index, 0, 64)
    try:
        return detect.find_by_contents(arch, image, start, target.read_memory,
                                       (first.address - start, code),
                                       target.cpu_pcs())
    except DetectionError as error:
        raise DetectionError("%s; %s" % (detection_error, error)) from None


def elfs_of_running_kernel(target):
    """The symbol files of what QEMU was given with -kernel, named by QEMU's
    ROM list or else the local QEMU's command line, beside gdb then QEMU."""
    from . import kernel_file, qemu_process  # the no-argument form only
    qemu = qemu_process.QemuProcess(target.connection_details())
    rom = kernel_file.kernel_rom(target.roms())
    name = kernel_file.file_name_of(rom) if rom else qemu.kernel_argument()
    if not name:
        raise UsageError("QEMU did not say which file it loaded; give the test's ELF "
                         "file, as in 'kut-load arm/gic.elf'")
    return kernel_file.locate(name, [os.getcwd(), qemu.working_directory()])


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
    if not os.path.isfile(path):  # a FIFO or device could block or never end
        raise UsageError("%s is not a regular file; give the test's .elf file" % path)
    if not os.access(path, os.R_OK):
        raise UsageError("%s is not readable" % path)
    return path
