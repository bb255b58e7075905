"""Inside gdb: run the firmware until it has loaded an EFI test's image, and
stop there, before the image's entry point runs.

An EFI test has no image until the firmware reads X.efi from disk, at an
address it chooses then. EDK2 records every image it loads in its
EFI_DEBUG_IMAGE_INFO_TABLE, which its DXE core creates early, long before
the UEFI shell or the boot manager loads the test:
1. the guest runs in short slices (gdb interrupts it) until the
   EFI_SYSTEM_TABLE_POINTER and the table's header exist;
2. a hardware watchpoint on the header's UpdateStatus fires at every change
   of the table; each time the update is complete (bit
   EFI_DEBUG_IMAGE_INFO_UPDATE_IN_PROGRESS clear), the newest images are
   compared with X.efi, silently, and the guest goes on otherwise;
3. it stops when X.efi is in the table: loaded and relocated, not started
   (EDK2's CoreLoadImage adds the entry; StartImage runs it later).
Then kut-load finds the image through the same table.

Limits: EDK2 only (Debian's U-Boot keeps no debug image table: under it the
wait ends, refused, once the test runs); gdb 12 or newer
(suppress-cli-notifications); images the firmware loads before the table
exists are not watched, which is never a test image.
"""

import os

import gdb

from kut_load import breakpoints
from kut_load.efi import files as efi_files
from kut_load.efi import find as efi_find
from kut_load.efi import tables as efi_tables
from kut_load.efi.ram import parse_ram_ranges
from kut_load.errors import KutLoadError, TargetError
from kut_load.run_control import LastStop, SliceTimer, continue_until_stop, what_stopped
from kut_load.session import QuietStops, Setting
from kut_load.target import GdbTarget

UPDATE_IN_PROGRESS = 1
# Wall-clock slice the firmware runs before gdb looks for the tables again.
SLICE_SECONDS = 0.25
# Bound on slices (2 minutes): EDK2's DXE core sets its tables up in the first
# seconds of a boot; other firmware (U-Boot) never does.
MAX_SLICES = 480
# Under U-Boot, how often (in slices) the CPUs are checked for the test already running.
U_BOOT_CHECK_SLICES = 8


class EfiStartError(KutLoadError):
    """The firmware ended, stopped elsewhere, or never made its debug image
    table before it loaded the test."""


def _memory(target):
    return efi_find.GuestMemory(target, parse_ram_ranges(target.monitor("info mtree -f") or ""))


def debug_table_header(memory):
    """Address of the EFI_DEBUG_IMAGE_INFO_TABLE_HEADER, or None before the DXE core made it."""
    systab = efi_find.find_system_table(memory, [])
    if systab is None:
        return None
    config = memory.read(systab.configuration_table,
                         systab.table_count * efi_tables.CONFIGURATION_TABLE_ENTRY_SIZE)
    return config and efi_tables.find_configuration_table(
        config, efi_tables.DEBUG_IMAGE_INFO_TABLE_GUID)


def _own_stop(event, timer, watch):
    """Whether the wait itself stopped the guest: its slice's interrupt or its table watch."""
    if isinstance(event, gdb.BreakpointEvent):
        return watch is not None and any(bp is watch for bp in event.breakpoints)
    return timer.ended(event)


def refuse_stop(event, efi):
    pc = gdb.selected_frame().pc()
    raise EfiStartError(
        "the guest stopped at %s, at %#x in the firmware, before the firmware loaded %s: "
        "continue, or run kut-debug-efi-start again to go on waiting"
        % (what_stopped(event), pc, efi.pe_path))


def u_boot_name(target):
    """The file name of a U-Boot QEMU loaded (-kernel u-boot.bin), or None."""
    try:
        roms = target.roms()
    except TargetError:
        return None
    return next((rom.name for rom in roms
                 if os.path.basename(rom.name).lower().startswith("u-boot")), None)


def refuse_if_running(target, memory, efi, firmware):
    """Debian's U-Boot runs the test without a debug image table: say so once it runs."""
    found = efi_find.from_cpu_pcs(memory, target, efi, [])
    if found is not None:
        raise EfiStartError(
            "%s started %s at %#x without making an EFI debug image table, so it cannot be "
            "stopped before it runs; it is stopped in the test now: run kut-load to load its "
            "symbols there" % (os.path.basename(firmware), efi.pe_path, found.address))


def wait_for_tables(target, efi, stops):
    firmware = u_boot_name(target)
    timer = SliceTimer(SLICE_SECONDS)
    for index in range(MAX_SLICES):
        memory = _memory(target)
        header = debug_table_header(memory)
        if header:
            return header
        if firmware and index % U_BOOT_CHECK_SLICES == U_BOOT_CHECK_SLICES - 1:
            refuse_if_running(target, memory, efi, firmware)
        timer.start()
        try:
            event = continue_until_stop(stops, EfiStartError(
                "the guest ended before the firmware made its debug image table"))
        finally:
            timer.stop()
        if not _own_stop(event, timer, None):
            refuse_stop(event, efi)
    raise EfiStartError("the firmware made no EFI debug image table in %d s; kut-debug stops "
                        "EFI tests only under EDK2 firmware (QEMU_EFI.fd, OVMF): start the test "
                        "yourself and attach while it runs" % (MAX_SLICES * SLICE_SECONDS))


class _TableWatch(gdb.Breakpoint):
    """Stops only when a complete update of the table lists the image."""

    def __init__(self, header, memory, efi):
        super().__init__("*(unsigned int *)%#x" % header, gdb.BP_WATCHPOINT, gdb.WP_WRITE,
                         internal=True)
        self.header = header
        self.memory = memory
        self.efi = efi
        self.found = None

    def stop(self):
        status = self.memory.read(self.header, 4)
        if status is None or int.from_bytes(status, "little") & UPDATE_IN_PROGRESS:
            return False
        self.found = efi_find.from_debug_table(self.memory, self.efi, [])
        return self.found is not None


def _location_addresses(bp):
    """The addresses of a breakpoint's locations ([] where gdb cannot say)."""
    return [address for address, _ in breakpoints.locations(bp) or ()]


def _in_a_test_file(address):
    """Whether address is code of a symbol file that has main, as every
    kvm-unit-tests test has and no firmware: its addresses are link
    addresses, which before the firmware loads the test are the firmware's."""
    symtab = gdb.find_pc_line(address).symtab
    if symtab is None:
        return False
    return symtab.objfile.lookup_global_symbol("main") is not None


def stale_breakpoints():
    """The user's enabled breakpoints whose every location is in a test's
    symbol file at its link address: they would stop the firmware, not the test."""
    stale = []
    for bp in gdb.breakpoints():
        if not (bp.enabled and bp.number > 0 and bp.type in breakpoints.CODE_TYPES):
            continue
        addresses = _location_addresses(bp)
        if addresses and all(_in_a_test_file(address) for address in addresses):
            stale.append((bp, addresses[0]))
    return stale


class _HeldOff:
    """Disables the stale breakpoints for the wait, and enables them again after."""

    def __init__(self, efi):
        self.stale = stale_breakpoints()
        for bp, address in self.stale:
            gdb.write("kut-debug: breakpoint %d (%s) waits until the firmware has loaded %s: "
                      "until then %#x is the firmware's code, not the test's\n"
                      % (bp.number, bp.location, efi.pe_path, address))

    def __enter__(self):
        for bp, _ in self.stale:
            bp.enabled = False

    def __exit__(self, *exc):
        for bp, _ in self.stale:
            if bp.is_valid():
                bp.enabled = True
        return False


def _hardware_watchpoints():
    """can-use-hw-watchpoints 1 for the wait: a software watchpoint on the
    table would make gdb single-step the whole firmware."""
    if gdb.parameter("can-use-hw-watchpoints") == 0:
        gdb.write("kut-debug: can-use-hw-watchpoints is 0 in your settings; the firmware "
                  "wait uses a hardware watchpoint all the same, and puts it back after\n")
    return Setting("can-use-hw-watchpoints", "1")


def run_until_loaded(path):
    """Continues the guest until the firmware has loaded the EFI image at path
    (X.efi or X.efi.debug) and stops before it starts; prints where it is.
    The user's breakpoints in a test's symbols wait meanwhile (see
    stale_breakpoints); any other stop ends the wait, named."""
    try:
        efi = efi_files.locate(path)
    except efi_files.EfiFileError as error:
        raise EfiStartError(str(error)) from None
    except OSError as error:
        raise EfiStartError("cannot read %s: %s; give the test's X.efi or X.efi.debug"
                            % (path, error.strerror or error)) from None
    if efi is None:
        raise EfiStartError("%s is not an EFI image (X.efi) nor its debug file" % path)
    target = GdbTarget()
    held_off = _HeldOff(efi)
    gdb.write("kut-debug: letting the firmware run until it has loaded %s\n" % efi.pe_path)
    with held_off, _hardware_watchpoints(), LastStop() as stops, QuietStops():
        header = wait_for_tables(target, efi, stops)
        memory = _memory(target)
        found = efi_find.from_debug_table(memory, efi, [])  # loaded already: attached late
        if found is None:
            watch = _TableWatch(header, memory, efi)
            try:
                event = continue_until_stop(stops, EfiStartError(
                    "the guest ended before the firmware loaded %s" % efi.pe_path))
            finally:
                if watch.is_valid():
                    watch.delete()
            found = watch.found
            if found is None:
                refuse_stop(event, efi)
    gdb.write("kut-debug: the firmware loaded %s at %#x; it has not started yet\n"
              % (efi.pe_path, found.address))
