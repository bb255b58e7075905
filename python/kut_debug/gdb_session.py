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


def commands_after_connecting(elf, break_at, commands, stop_commands=None, replay_again=None,
                              console=None):
    """kut-load, the breakpoint, continue (or stop_commands instead of those
    two), then the user's commands; checked before anything starts, since
    each must stay one line of a gdb script. An EFI test's image exists only
    once the firmware has loaded it, so kut-load waits for that first.
    replay_again: for a replay, the command that replays it again, named
    when the replay ends; console: the guest's console file."""
    try:
        check_printable(elf, "ELF path")
        waits = wait_for_efi_image(elf) if is_efi_image(elf) else []
        facts = (console and check_printable(os.path.abspath(console), "console file"),
                 replay_again and check_printable(replay_again, "replay command"))
        if any(facts):
            waits.insert(0, "python import kut_load.debug_script; "
                            "kut_load.debug_script.session_facts(%r, %r)" % facts)
        if stop_commands is None:
            stop_commands = ["python import kut_load.debug_script; "
                             "kut_load.debug_script.break_at(%r)"
                             % check_printable(break_at, "breakpoint location"), "continue"]
        return (waits + ["kut-load " + quote_argument(elf, "ELF path")] + stop_commands +
                [USER_COMMAND + check_printable(command, "gdb command") for command in commands])
    except UnsafeName as error:
        raise DebugError(str(error)) from None


DEFAULT_BREAK = "main"


# kut-debug-step's words for a command of the user's (--ex), which may fail
# and the next one still run, and for the end of a -batch script.
USER_COMMAND = "--ex "
END_OF_BATCH = "--end-of-batch"


def startup_script(port, commands, batch=False):
    """gdb commands as a file, each run by kut-debug-step: a failed command
    of kut-debug's own (kut-load, the breakpoint) ends the script before the
    guest runs past the breakpoint; with batch, gdb then exits 1 if the last
    command failed, as gdb -batch does."""
    lines = ["target remote 127.0.0.1:%d" % int(port)] + commands
    lines += [END_OF_BATCH] if batch else []
    return "".join("kut-debug-step %s\n" % line for line in lines)


def gdb_argv(gdb_command, gdbinit, script_path, batch, read_init_files):
    """gdb_command (its program and the user's own options), then kut-debug's."""
    argv = list(gdb_command) + ["-q"]
    if not read_init_files:
        argv.append("-nx")
    if batch:
        argv.append("-batch")
    return argv + ["-x", gdbinit, "-x", script_path]
