"""Errors shared by modules that must not import gdb."""


class KutLoadError(Exception):
    """A failure the user can cause or fix; every error a user can cause is
    one (tests/unit/project/test_error_model.py finds them all). The commands'
    one boundary, gdb_commands.run_command, shows it as one gdb error line.
    Anything else that escapes is a bug, and shows as one."""


class TargetError(KutLoadError):
    """The target is missing, running, or refused a read."""


def whole_read(data, address, length):
    """data, the bytes a read of length bytes at address returned, if it is
    all of them; a short read is refused here, so no caller compares less
    than it asked for."""
    if len(data) != length:
        raise TargetError("target memory at %#x gave %d of the %d bytes asked for, "
                          "too few to compare" % (address, len(data), length))
    return data
