"""Makes gdb's byte order follow the test's ELF.

gdb 13 stays little-endian on QEMU's powerpc:common64 and s390:64-bit
targets when it has no executable, and add-symbol-file does not change
that: every register then reads byte-swapped and a breakpoint stops as a
SIGTRAP at a garbage pc. gdb's `set endian` is the user's setting, so it is
changed only when it disagrees with the ELF, and the report says so."""

import gdb


def current():
    """"big" or "little": the byte order gdb uses for the target now."""
    # "The target endianness is set automatically (currently big endian)."
    return "big" if "big endian" in gdb.execute("show endian", to_string=True) else "little"


def command_for(image):
    """The `set endian` command that makes gdb read the target as image is
    built, or None when gdb already does."""
    wanted = "little" if image.little_endian else "big"
    return None if current() == wanted else "set endian " + wanted


def follow(command):
    """Runs command_for's command, if any; returns what changed, or None."""
    if command is None:
        return None
    gdb.execute(command, to_string=True)
    # The note ends the line that names the ELF: no need to name it again.
    return "byte order set to %s-endian, as the ELF is built" % command.split()[-1]
