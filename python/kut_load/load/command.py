"""What kut-load does, imported at its first use (see gdb_commands.py): which
file, a plan for it checked against the guest, then gdb's symbols and byte
order, and one line saying so."""

import os

import gdb

from kut_load import __version__, native, report, session
from kut_load.load import byte_order, symbols
from kut_load.finders import chain
from kut_load.errors import KutLoadError
from kut_load.command_line import GdbExpression
from kut_load.quoting import printable
from kut_load.load.options import UsageError, parse
from kut_load.load.planner import Planner
from kut_load.target import GdbTarget, qemu_process


def run(argv, as_main=False):
    """kut-load with gdb's argv; True once it has loaded symbols (not for
    --help, --version or --dry-run). as_main: the automatic load, which
    makes the test gdb's main file where there is none."""
    options = parse(argv)
    if options.help:
        gdb.execute("help kut-load")
        return
    if options.version:
        gdb.write("kut-load %s\n" % __version__)
        return
    options.address = evaluated_address(options.address)
    given_path = given_elf(options.elf) if options.elf else None
    helper = native.load()
    # Read while gdb's frames are cached: GdbTarget may drop them.
    frame_level = symbols.selected_frame_level()
    target = GdbTarget()
    try:
        paths = [given_path] if given_path else elfs_of_running_kernel(target, helper)
        try:
            planned = Planner(options, target, helper).first_matching(paths)
        except KutLoadError:
            # A refusal of the wrong kind of ELF names the kind, not the bytes that differ.
            kind = given_path and other_kind_of_guest(helper, given_path)
            if kind:
                raise UsageError(kind) from None
            raise
    except BaseException:
        symbols.select_frame_level(frame_level)  # a refusal leaves the user's frame selected
        raise
    if options.dry_run:
        commands = symbols.planned_commands(planned.plan, planned.test_paths) + [planned.endian]
        gdb.write("".join(line + "\n" for line in commands if line))
        symbols.select_frame_level(frame_level)
        return
    notes = symbols.load(planned.plan, planned.test_paths, frame_level, as_main)
    session.remember_loaded(planned.plan)
    byte_order_note = byte_order.follow(planned.endian)
    gdb.set_convenience_variable("kut_base", planned.plan.load_address)
    if planned.warning:
        report.warning(planned.warning)
    report.loaded(planned.plan, planned.found, byte_order_note)
    for note in notes:
        report.line(note)
    return True


def evaluated_address(address):
    """--address as a number: an expression of gdb's ($kut_base, &_text) is
    evaluated by gdb; UsageError with gdb's words when it cannot be."""
    if not isinstance(address, GdbExpression):
        return address
    try:
        value = gdb.parse_and_eval(address)
        return int(value.cast(gdb.lookup_type("unsigned long long")))
    except (gdb.error, RuntimeError) as error:
        raise UsageError("--address %s: gdb cannot evaluate it as an address (%s); give a "
                         "number such as 0x40080000, or an expression such as $kut_base"
                         % (printable(address), str(error).rstrip("."))) from None


def elfs_of_running_kernel(target, helper):
    """The symbol files of what QEMU runs: the local QEMU's -kernel file, or
    else the file of QEMU's ROM that holds the load address the boot code
    tells, looked up beside gdb then QEMU; when that is firmware or unknown,
    the EFI test on QEMU's FAT disk."""
    from kut_load.qemu import kernel_file  # the no-argument form only
    from kut_load.efi import boot_disk
    qemu = qemu_process()
    name = qemu.kernel_argument() or kernel_file.rom_file_name(
        target.roms(), chain.address_or_none(target, helper))
    directories = [os.getcwd(), qemu.working_directory()]
    if name and not kernel_file.is_firmware(name):
        return kernel_file.locate(name, directories)
    images, looked_at = boot_disk.booted_images(qemu.arguments(), directories)
    if images:
        return images
    if looked_at:
        places = " nor ".join(dict.fromkeys(filter(None, directories)))
        raise UsageError("QEMU's disk boots %s, but no X.efi with the same contents and "
                         "X.efi.debug beside it is in %s or the directories just below; "
                         "give the test's .efi file" % (looked_at[0], places))
    raise UsageError("QEMU did not say which file it loaded; give the test's ELF "
                     "file, as in 'kut-load arm/gic.elf'")


def other_kind_of_guest(helper, path):
    """Why the local QEMU's guest cannot run path's code: a 64-bit ELF under
    qemu-system-i386, or the other byte order than QEMU's -kernel ELF; else None."""
    try:
        image = helper.ElfImage(path)
    except (native.elf_error(), OSError):
        return None
    qemu = qemu_process()
    argv = qemu.arguments()
    if not argv:
        return None
    if image.bits == 64 and os.path.basename(argv[0]) == "qemu-system-i386":
        return ("%s is a 64-bit ELF, but QEMU is qemu-system-i386, whose guest runs 32-bit "
                "code only; give the ELF of the i386 build" % path)
    kernel = qemu.kernel_argument()
    if not kernel or not kernel.endswith(".elf"):
        return None
    kernel_path = os.path.join(qemu.working_directory() or "", kernel)
    try:
        running = helper.ElfImage(kernel_path)
    except (native.elf_error(), OSError):
        return None
    # Another machine is named by the architecture check itself.
    if running.machine == image.machine and running.little_endian != image.little_endian:
        order = {True: "little-endian", False: "big-endian"}
        return ("%s is %s, but QEMU runs %s, which is %s; give the ELF of the %s build"
                % (path, order[image.little_endian], kernel, order[running.little_endian],
                   order[running.little_endian]))
    return None


def given_elf(name):
    """checked_path(name); a relative name not beside gdb is looked up where bare
    kut-load looks for QEMU's files: QEMU's working directory."""
    try:
        return checked_path(name)
    except UsageError:
        expanded = os.path.expanduser(name)
        if os.path.isabs(expanded) or os.path.lexists(expanded):
            raise
    qemu_directory = qemu_process().working_directory()
    directories = list(dict.fromkeys(filter(None, [os.getcwd(), qemu_directory])))
    for directory in directories[1:]:
        if os.path.exists(os.path.join(directory, expanded)):
            return checked_path(os.path.join(directory, expanded))
    near = near_names(expanded, directories)
    raise UsageError("%s: no such file in %s%s" % (
        expanded, " nor ".join(directories) + ("" if qemu_directory else
                                               " (no local QEMU behind gdb's connection)"),
        "; did you mean %s?" % " or ".join(near) if near else ""))


def near_names(name, directories):
    """Files of name's directory, in any of directories, whose names are close
    to it; for a bare name, first the files of that name one directory down
    (gic.elf given at the tree's top: arm/gic.elf)."""
    import difflib
    head, tail = os.path.split(name)
    found = []
    for directory in directories:
        try:
            entries = os.listdir(os.path.join(directory, head) if head else directory)
        except OSError:
            continue
        if not head:
            found += sorted(os.path.join(entry, tail) for entry in entries
                            if os.path.isfile(os.path.join(directory, entry, tail)))
        found += [os.path.join(head, entry) for entry in
                  difflib.get_close_matches(tail, entries, n=3, cutoff=0.85)]
    return list(dict.fromkeys(found))[:3]


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
