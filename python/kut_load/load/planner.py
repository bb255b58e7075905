"""Plans a load: the test's architecture checked against the target, its
load address found, its sections placed and its code compared with guest
memory, for an ELF QEMU placed or an EFI image a firmware placed."""

import gdb

from kut_load import arches, report, file_names
from kut_load.finders import chain
from kut_load.image import verify
from kut_load.load import byte_order
from kut_load.arches import BIG, LITTLE
from kut_load.finders.load_address import DetectionError, LoadAddress
from kut_load.errors import TargetError
from kut_load.image.plan import PlanError, plan_load
from kut_load.target import architecture_source


class Planned:
    """A plan ready to load: the plan, the image it is for, how its address
    was found (LoadAddress), a warning for the user (or None), every path of
    the test's ELF to drop earlier copies of (test_paths), and the `set
    endian` command that makes gdb read the guest as the image is built (or
    None)."""
    __slots__ = ("plan", "image", "found", "warning", "test_paths", "endian")

    def __init__(self, plan, image, found, warning):
        self.plan = plan
        self.image = image
        self.found = found
        self.warning = warning
        self.test_paths = []
        self.endian = None


class Planner:
    """Plans a load for kut-load's options (address, force, verbose) on the
    target, with the native helper."""

    def __init__(self, options, target, helper):
        self.options = options
        self.target = target
        self.helper = helper

    def first_matching(self, paths):
        """The Planned load of the first path whose code is what the guest
        runs; with none, the first path's mismatch. Several paths come from a
        relative -kernel name found both beside gdb and beside QEMU."""
        first_mismatch = None
        for path in paths:
            efi = efi_image_of(path)
            try:
                planned = self.elf(path) if efi is None else self.efi(efi)
            except verify.MismatchError as mismatch:
                first_mismatch = first_mismatch or mismatch
                continue
            planned.test_paths = list(paths)
            planned.endian = byte_order.command_for(planned.image)
            return planned
        raise first_mismatch

    def elf(self, elf_path):
        """Planned load of an ELF QEMU placed with -kernel."""
        image = self.helper.ElfImage(elf_path)
        arch = architecture_of(image, self.target)
        found = self.load_address(arch, image)
        symbols_path, warning = symbol_file(image, elf_path)
        address_given = self.options.address is not None
        plan = plan_load(image, symbols_path, found.address, image.bits, address_given)
        if self.options.verbose:
            report.sections(plan)
        self.checked_or_forced(
            lambda: verify.check(image, plan, self.target.read_memory, address_given),
            "the ELF's code matches target memory at %#x" % plan.load_address)
        return Planned(plan, image, found, warning)

    def efi(self, efi):
        """Planned load of X.efi / X.efi.debug: the firmware chose the address,
        and finding it compares the image in memory with X.efi already."""
        from kut_load.efi import find
        from kut_load.efi.plan import plan_efi_load
        image = self.helper.ElfImage(efi.debug_path)
        architecture_of(image, self.target)
        if self.options.address is not None:
            found = LoadAddress(self.options.address, "given with --address")
            self.checked_or_forced(
                lambda: find.check(self.target, efi, found.address),
                "%s matches target memory at %#x" % (efi.pe_path, found.address))
        else:
            found = self.listed(lambda: find.find(self.target, efi))
        plan = plan_efi_load(image, efi, found.address)
        if self.options.verbose:
            report.sections(plan)
        return Planned(plan, image, found, None)

    def load_address(self, arch, image):
        if self.options.address is not None:
            return LoadAddress(self.options.address, "given with --address")
        try:
            found = self.listed(
                lambda: chain.find_load_address(arch, self.target, self.helper, image))
        except TargetError as error:
            raise TargetError("%s%s" % (error, last_base_hint())) from None
        if self.options.verbose:
            report.line("load address %#x, %s" % (found.address, found.how))
        return found

    def listed(self, find):
        """find()'s LoadAddress; with -v, what it read, also where it failed."""
        try:
            found = find()
        except DetectionError as error:
            self.show_listing(error.listing)
            raise
        self.show_listing(found.listing)
        return found

    def show_listing(self, lines):
        if self.options.verbose:
            report.listing(lines)

    def checked_or_forced(self, check, success):
        """Runs a memory check; with --force a failure is only a warning."""
        try:
            check()
            if self.options.verbose:
                report.line(success)
        except (verify.MismatchError, TargetError) as error:
            if not self.options.force:
                raise
            what = error.fact if isinstance(error, verify.MismatchError) else error
            report.warning("%s; loading anyway (--force)" % report.sentence(what))


def symbol_file(image, elf_path):
    """(path to give gdb, warning or None), as debug_file.symbol_file."""
    if image.debug_info.has_dwarf:
        return elf_path, None  # a test ELF as built: nothing else to look for
    from kut_load.load import debug_file  # separate debug files: off the usual path
    return debug_file.symbol_file(image, elf_path)


def efi_image_of(path):
    """EfiImage for X.efi or X.efi.debug, else None; only then is the efi
    package imported, which costs more than the rest of a kut-load."""
    with open(path, "rb") as image:
        magic = image.read(2)
    if magic != b"MZ" and not path.endswith(file_names.EFI_DEBUG):
        return None
    from kut_load.efi import files
    return files.locate(path)


def architecture_of(image, target):
    """The arches.Arch of image, refused unless the target runs its code."""
    arch = arches.of_elf(image.machine, image.bits)
    target_name = target.architecture_name()
    if arch is None or not arches.runs_on(arch, target_name):
        text = "%s is built for %s, but the target is %s" % (
            image.path, arches.elf_name(image), arches.from_gdb(target_name))
        source = architecture_source()
        if source is not None:
            # gdb keeps such an architecture even when QEMU reports another.
            text += ("; if QEMU's guest is %s, gdb's architecture (%s) is not QEMU's: %s, "
                     "then 'target remote' again" % (arches.elf_name(image), *source))
        raise PlanError(text)
    if (LITTLE if image.little_endian else BIG) not in arch.byte_orders:
        raise PlanError("%s is %s-endian, but %s tests are %s-endian"
                        % (image.path, BIG if image.little_endian else LITTLE,
                           arch.name, " or ".join(arch.byte_orders)))
    return arch


def last_base_hint():
    """What to give when the boot code cannot be read and a kut-load ran
    before: a guest that turned its MMU on (riscv64) no longer maps it."""
    base = gdb.convenience_variable("kut_base")
    if base is None:
        return ""
    return ("; once the guest has turned its MMU on, the boot code is no longer mapped: give "
            "--address $kut_base (%#x, where the last kut-load put the test)" % int(base))
