"""The gdb side of a session: kut-load's gdbinit, the commands that take the
paused guest to the breakpoint, and gdb-multiarch's command line."""

import os

from kut_load.quoting import UnsafeName, check_printable, quote_argument

from kut_debug.errors import DebugError


def find_gdbinit(script_path):
    """kut-load's gdbinit for the kut-debug at script_path: in a checkout it is
    beside python/ (python/kut-debug -> gdbinit); installed, it is
    share/kut-load/gdbinit under the prefix (bin/kut-debug)."""
    script_dir = os.path.dirname(os.path.realpath(script_path))
    candidates = [os.path.join(script_dir, os.pardir, "gdbinit"),
                  os.path.join(script_dir, os.pardir, "share", "kut-load", "gdbinit")]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    raise DebugError("cannot find kut-load's gdbinit (looked for %s)"
                     % " and ".join(os.path.normpath(path) for path in candidates))


def is_efi_image(elf):
    """X.efi or its X.efi.debug: a test the firmware loads, not QEMU."""
    return elf.endswith((".efi", ".efi.debug"))


def wait_for_efi_image(elf):
    """The gdb commands that let the firmware run until it has loaded the EFI
    image whose debug file is elf."""
    return ["kut-debug-efi-start " + quote_argument(os.path.abspath(elf), "ELF path")]


def commands_after_connecting(elf, break_at, commands, stop_commands=None):
    """kut-load, the breakpoint, continue (or stop_commands instead of those
    two), then the user's commands; checked before anything starts, since
    each must stay one line of a gdb script. An EFI test's image exists only
    once the firmware has loaded it, so kut-load waits for that first."""
    try:
        check_printable(elf, "ELF path")
        waits = wait_for_efi_image(elf) if is_efi_image(elf) else []
        if stop_commands is None:
            stop_commands = ["python import kut_load.debug_script; "
                             "kut_load.debug_script.break_at(%r)"
                             % check_printable(break_at, "breakpoint location"), "continue"]
        return (waits + ["kut-load " + quote_argument(elf, "ELF path")] + stop_commands +
                [check_printable(command, "gdb command") for command in commands])
    except UnsafeName as error:
        raise DebugError(str(error)) from None


DEFAULT_BREAK = "main"


def startup_script(port, commands):
    """gdb commands as a file: gdb stops a sourced file at its first error, so a
    failed kut-load does not go on to run the guest past the breakpoint."""
    lines = ["kut-debug-step " + line
             for line in ["target remote 127.0.0.1:%d" % int(port)] + commands]
    return "".join(line + "\n" for line in lines)


def gdb_argv(gdb_program, gdbinit, script_path, batch, read_init_files):
    argv = [gdb_program, "-q"]
    if not read_init_files:
        argv.append("-nx")
    if batch:
        argv.append("-batch")
    return argv + ["-x", gdbinit, "-x", script_path]
