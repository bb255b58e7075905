"""The gdb side of a session: kut-load's gdbinit, the commands that take the
paused guest to the breakpoint, and gdb-multiarch's command line."""

import os

from kut_load import file_names
from kut_load.command_line import written
from kut_load.command_tables import KUT_DEBUG_STEP
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


def step(command=None, **values):
    """One line of the start-up script: kut-debug-step with a gdb command of
    kut-debug's own, or the options of KUT_DEBUG_STEP given as values."""
    return written(KUT_DEBUG_STEP, command, **values)


def wait_for_efi_image(elf):
    """The step that lets the firmware run until it has loaded the EFI image
    whose debug file is elf."""
    return step("kut-debug-efi-start " + quote_argument(os.path.abspath(elf), "ELF path"))


def steps_after_connecting(elf, break_at, commands, stop_commands=None, replay_again=None,
                           console=None):
    """The steps after the connect: kut-load, the breakpoint (or the gdb
    commands stop_commands instead), continue, then the user's commands;
    checked before anything starts, since each must stay one line of a gdb
    script. An EFI test's image exists only once the firmware has
    loaded it, so kut-load waits for that first. replay_again: for a
    replay, the command that replays it again, named when the replay ends;
    console: the guest's console file."""
    try:
        steps = [step(console=check_printable(os.path.abspath(console), "console file"))
                 ] if console else []
        steps += [step(replay_again=check_printable(replay_again, "replay command"))
                  ] if replay_again else []
        steps += [wait_for_efi_image(elf)] if file_names.is_efi(elf) else []
        steps.append(step("kut-load " + quote_argument(elf, "ELF path")))
        if stop_commands is None:
            steps.append(step(break_at=check_printable(break_at, "breakpoint location")))
        else:
            steps += [step(command) for command in stop_commands]
        steps.append(step(continue_all=True))
        return steps + [step(ex=check_printable(command, "gdb command")) for command in commands]
    except UnsafeName as error:
        raise DebugError(str(error)) from None


DEFAULT_BREAK = "main"


def startup_script(port, steps, batch=False):
    """The start-up script as a file's text: the connect, then steps; a
    failed step of kut-debug's own (kut-load, the breakpoint) ends the script
    before the guest runs past the breakpoint; with batch, gdb then exits 1
    if the last step failed, as gdb -batch does."""
    lines = [step(connect="127.0.0.1:%d" % int(port))] + steps
    lines += [step(end_of_batch=True)] if batch else []
    return "".join(line + "\n" for line in lines)


def gdb_argv(gdb_command, gdbinit, script_path, batch, read_init_files):
    """gdb_command (its program and the user's own options), then kut-debug's."""
    argv = list(gdb_command) + ["-q"]
    if not read_init_files:
        argv.append("-nx")
    if batch:
        argv.append("-batch")
    return argv + ["-x", gdbinit, "-x", script_path]
