"""What every boot-code finder shares: its result, its error, where QEMU's
boot loader is, and the decode step. Finders read the target only through
target.py's small interface, so they run without gdb in the unit tests."""

from .errors import TargetError


class DetectionError(Exception):
    """The load address could not be told; listing shows what was read."""

    def __init__(self, message, listing=()):
        super().__init__(message)
        self.listing = list(listing)


class LoadAddress:
    """Where the image starts; how: one phrase on how that was found; listing:
    what was read, for -v."""

    def __init__(self, address, how, listing=()):
        self.address = address
        self.how = how
        self.listing = list(listing)

    def address_for(self, image):
        """Where image starts in the guest; x86's finder needs the image to say."""
        return self.address


def decode_boot_loader(target, usual_address, length, decode):
    """LoadAddress from QEMU's boot loader: first read where the virt machine
    puts it, which needs no ROM list (one remote round trip fewer); if that
    does not decode, where QEMU's ROM list, or else the boot CPU's pc, says.

    A wrong guess cannot load wrong symbols: the ELF is checked against memory
    at whatever address this returns."""
    try:
        return decoded("QEMU's boot loader", usual_address,
                       target.read_memory(usual_address, length), decode)
    except (DetectionError, TargetError) as error:
        first_error = error
    address, where = bootloader_address(target.roms(), target.boot_cpu_pc)
    if address == usual_address:  # the same bytes again would say the same
        raise first_error
    return decoded(where, address, target.read_memory(address, length), decode)


def bootloader_address(roms, read_boot_cpu_pc):
    """Where QEMU's boot loader is: its ROM if QEMU lists it, else the boot CPU's pc."""
    for rom in roms:
        if rom.name == "bootloader":
            return rom.address, "QEMU's boot loader"
    return read_boot_cpu_pc(), "the boot code at the boot CPU's pc"


def decoded(where, address, code, decode):
    """LoadAddress from a native decoder run on code read at address, or
    DetectionError with the decoder's reason and what it read."""
    entry = decode(code, address)
    if not entry.found:
        raise DetectionError("could not decode %s at %#x: %s"
                             % (where, address, entry.reason), entry.listing)
    return LoadAddress(entry.entry, "decoded from %s at %#x (%s)"
                       % (where, address, entry.method), entry.listing)
