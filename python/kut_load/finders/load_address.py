"""What every finder shares: its result, its error, and the decode step.
Finders read the target only through target.py's small interface, so they
run without gdb in the unit tests."""

from kut_load.errors import KutLoadError, TargetError


class DetectionError(KutLoadError):
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
        self.rom_named = False  # taken from QEMU's ROM list, which named the file


def decoded(where, address, code, decode):
    """LoadAddress from a native decoder run on code read at address, or
    DetectionError with the decoder's reason and what it read."""
    entry = decode(code, address)
    if not entry.found:
        raise DetectionError("could not decode %s at %#x: %s"
                             % (where, address, entry.reason), entry.listing)
    return LoadAddress(entry.entry, "decoded from %s at %#x (%s)"
                       % (where, address, entry.method), entry.listing)


def decoded_usual_first(target, where, usual, listed, decode):
    """LoadAddress from boot code read first at usual, (address, length) where
    the machine usually puts it, which needs no ROM list (one remote round trip
    fewer); if that does not decode, at listed() -> (address, length, where),
    which may ask QEMU's ROM list, unless that is the same read again. A wrong
    guess cannot load wrong symbols: the ELF is checked against memory at the
    address found."""
    address, length = usual
    try:
        return decoded(where, address, target.read_memory(address, length), decode)
    except (DetectionError, TargetError) as error:
        first_error = error
    address, length, where = listed()
    if (address, length) == usual:
        raise first_error  # the same bytes again would say the same
    return decoded(where, address, target.read_memory(address, length), decode)
