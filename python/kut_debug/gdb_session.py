"""The gdb side of a session: kut-load's gdbinit, the commands that take the
paused guest to the breakpoint, and gdb-multiarch's command line."""

import os

from kut_load.quoting import UnsafeName, check_printable, quote_argument

from .errors import DebugError


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
    image whose debug file is elf (efi_start defines the second)."""
    return ["python import kut_debug.efi_start",
            "kut-debug-efi-start " + quote_argument(os.path.abspath(elf), "ELF path")]


def commands_after_connecting(elf, break_at, commands, stop_commands=None):
    """kut-load, the breakpoint, continue (or stop_commands instead of those
    two), then the user's commands; checked before anything starts, since
    each must stay one line of a gdb script. An EFI test's image exists only
    once the firmware has loaded it, so kut-load waits for that first."""
    try:
        check_printable(elf, "ELF path")
        waits = wait_for_efi_image(elf) if is_efi_image(elf) else []
        if stop_commands is None:
            stop_commands = ["python import kut_debug.gdb_session; "
                             "kut_debug.gdb_session.break_at(%r)"
                             % check_printable(break_at, "breakpoint location"), "continue"]
        return (waits + ["kut-load " + quote_argument(elf, "ELF path")] + stop_commands +
                [check_printable(command, "gdb command") for command in commands])
    except UnsafeName as error:
        raise DebugError(str(error)) from None


DEFAULT_BREAK = "main"


def break_at(location):
    """Inside gdb: `break LOCATION`, or `hbreak` when QEMU runs the guest under
    KVM, where a software breakpoint does not stop it (an int3 or BRK byte in
    guest RAM, which x86's multiboot ROM overwrites when it copies the kernel)."""
    import gdb
    from kut_load.fail_stops import under_kvm
    command = "break"
    if under_kvm():
        command = "hbreak"
        gdb.write("kut-debug: the guest runs under KVM (QEMU's info kvm), where a software "
                  "breakpoint does not stop it: hbreak %s\n" % location)
    try:
        # A location gdb cannot find must stop the script, not leave a pending
        # breakpoint that `continue` would run past; `with` restores the setting.
        gdb.execute("with breakpoint pending off -- %s %s" % (command, location))
    except gdb.error as error:
        if location == DEFAULT_BREAK and "not defined" in str(error):
            # x86/realmode has its own start-up code and no main.
            raise gdb.GdbError("kut-debug: the test has no function main, so it cannot "
                               "stop there; give --break LOCATION (a function or "
                               "FILE:LINE of the test)") from None
        raise gdb.GdbError(str(error)) from None


def startup_script(port, commands):
    """gdb commands as a file: gdb stops a sourced file at its first error, so a
    failed kut-load does not go on to run the guest past the breakpoint."""
    lines = ["python import kut_debug.gdb_session; kut_debug.gdb_session.define_step()"]
    lines += ["kut-debug-step " + line
              for line in ["target remote 127.0.0.1:%d" % int(port)] + commands]
    return "".join(line + "\n" for line in lines)


# The command during which the guest ended, once it has.
_ended = []


def define_step():
    """Inside gdb: defines kut-debug-step, which runs each command of the script."""
    import gdb

    class Step(gdb.Command):
        """kut-debug-step COMMAND: runs COMMAND unless the guest has ended."""

        def __init__(self):
            super().__init__("kut-debug-step", gdb.COMMAND_RUNNING)

        def invoke(self, argument, from_tty):
            step(argument)

    Step()


# Whether kut-debug said it overrides scheduler-locking.
_said_locking = []


def connect(command):
    """target remote, in all-stop mode when the stub refuses the user's non-stop."""
    import gdb
    try:
        auto = gdb.parameter("kut-load auto")
    except RuntimeError:
        auto = False
    if auto:  # kut-debug's own kut-load follows: one load, not two
        command = "with kut-load auto off -- " + command
    try:
        gdb.execute(command)
    except gdb.error as error:
        if not (gdb.parameter("non-stop") and "does not support non-stop" in str(error)):
            raise
        gdb.write("kut-debug: non-stop is on in your gdb settings, and QEMU's gdb stub does not "
                  "support it (%s): connecting in all-stop mode\n" % str(error).rstrip("."))
        gdb.execute("set non-stop off")
        gdb.execute(command)


def continue_every_cpu():
    """continue, resuming every vCPU whatever the user's settings: a test waits
    for its other CPUs, which scheduler-locking or non-stop would leave stopped."""
    import gdb
    command = "continue -a" if gdb.parameter("non-stop") else "continue"
    locking = gdb.parameter("scheduler-locking")
    if locking != "on":
        gdb.execute(command)
        return
    if not _said_locking:
        _said_locking.append(True)
        gdb.write("kut-debug: scheduler-locking is on, which keeps the other vCPUs stopped: "
                  "kut-debug's continue runs them all\n")
    gdb.execute("set scheduler-locking off")
    try:
        gdb.execute(command)
    finally:
        try:
            gdb.execute("set scheduler-locking " + locking)
        except gdb.error:
            pass  # the guest ended: without a target gdb has no such setting to restore


def step(command):
    """Inside gdb: one command of the script. Once the guest has ended, the
    rest are not run, and the end is one kut-debug line, not a sourced-file error."""
    import gdb
    if _ended:
        gdb.write("kut-debug: not run, as the guest ended during '%s': %s\n" % (_ended[0], command))
        return
    was_live = gdb.selected_inferior().pid != 0
    try:
        if command.startswith("python "):
            # Run here, not by gdb's python command, which shows a GdbError as a traceback.
            import __main__
            exec(command[len("python "):], vars(__main__))
        elif command == "continue":
            continue_every_cpu()
        elif command.startswith("target remote "):
            connect(command)
        else:
            gdb.execute(command)
    except gdb.error as error:
        lost = str(error).startswith(("Remote connection closed", "Remote communication error"))
        if not (was_live and lost and gdb.selected_inferior().pid == 0):
            raise gdb.GdbError(str(error)) from None
        _ended.append(command)
        gdb.write("kut-debug: the guest ended during '%s': %s\n" % (command, error))
        return
    if was_live and gdb.selected_inferior().pid == 0:
        _ended.append(command)


def gdb_argv(gdb_program, gdbinit, script_path, batch, read_init_files):
    argv = [gdb_program, "-q"]
    if not read_init_files:
        argv.append("-nx")
    if batch:
        argv.append("-batch")
    return argv + ["-x", gdbinit, "-x", script_path]
