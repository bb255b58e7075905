"""Inside gdb: the commands of kut-debug's start-up script. kut-debug-step
runs each one (gdb_commands.py registers it), so that a guest that ends
stops the script with one line of kut-debug's, and the script's connect,
breakpoint and continue hold whatever the user's own gdb settings are.
Imported at the first kut-debug-step."""

import re

import gdb

from kut_load.session import Setting, own_run, under_kvm
from kut_load.errors import KutLoadError


class BreakpointRefused(KutLoadError):
    """gdb could not set kut-debug's breakpoint at the location given."""


def break_at(location):
    """Inside gdb: `break LOCATION`, or under KVM, where a software breakpoint
    does not stop the guest (an int3 or BRK byte in guest RAM, which x86's
    multiboot ROM overwrites when it copies the kernel), a temporary hardware
    one, whose debug register is free again once reached; the test's code is
    then read-only for gdb, so its own breakpoints are hardware ones too."""
    command = "break"
    kvm = under_kvm()
    if kvm:
        command = "thbreak"
        gdb.write("kut-debug: the guest runs under KVM (QEMU's info kvm), where a software "
                  "breakpoint does not stop it: thbreak %s (a hardware one, free again once "
                  "reached)\n" % location)
    try:
        # A location gdb cannot find must stop the script, not leave a pending
        # breakpoint that `continue` would run past; `with` restores the setting.
        gdb.execute("with breakpoint pending off -- %s %s" % (command, location))
    except gdb.error as error:
        if location == "main" and "not defined" in str(error):
            # x86/realmode has its own start-up code and no main.
            raise BreakpointRefused("kut-debug: the test has no function main, so it cannot "
                                    "stop there; give --break LOCATION (a function or "
                                    "FILE:LINE of the test)") from None
        raise BreakpointRefused(str(error)) from None
    if kvm:
        code_read_only()


def code_read_only():
    """Marks the loaded test's code read-only for gdb (its `mem` regions): gdb
    then places the breakpoints of its own run control (next and step over a
    call, finish, until, advance) as hardware ones (`breakpoint auto-hw`, on by
    default), which stop a KVM guest; an int3 of gdb's would end it."""
    from kut_load.efi.ram import merged
    from kut_load.load.command import last_plan
    plan = last_plan()
    ranges = merged([(section.address, section.address + section.size)
                     for section in plan.sections if section.executable and section.size]
                    if plan else [])
    if not ranges:
        return
    # Memory outside the regions stays as it is: readable and writable.
    gdb.execute("set mem inaccessible-by-default off")
    _code_read_only.append(True)
    for low, high in ranges:
        gdb.execute("mem %#x %#x ro" % (low, high), to_string=True)
    gdb.write("kut-debug: the test's code is read-only for gdb (%s), so next, finish, until "
              "and advance stop with hardware breakpoints too; 'delete mem' undoes it\n"
              % ", ".join("mem %#x %#x ro" % pair for pair in ranges))


# The command during which the guest ended, once it has.
_ended = []

# The command of kut-debug's that failed, once one has: the rest are not run.
_failed = []

# Whether the last command run failed: gdb -batch's exit status.
_last_failed = [False]

# kut-debug-step's own words (see gdb_commands.KutDebugStepCommand).
USER_COMMAND = "--ex "
END_OF_BATCH = "--end-of-batch"


# The guest's console file, once kut-debug has named it (session_facts).
_console = [None]

# Whether the test's code is read-only for gdb (code_read_only): gdb's own stops are hardware.
_code_read_only = []

# What the guest prints when it takes a debug exception itself (lib/x86/desc.c).
GUEST_DEBUG_EXCEPTION = re.compile(r"^Unhandled exception 1 #DB\b.*$", re.M)
# gdb's error when a resume finds no debug register left for its hardware breakpoints: it
# warns "Could not insert hardware breakpoints" and fails with "Command aborted." (gdb 13,
# QEMU 7.2); QEMU 10 refuses the breakpoint itself, with EINVAL.
NO_DEBUG_REGISTER = ("hardware breakpoints", "Command aborted.", "Remote failure reply: 22")

# Whether kut-debug said it overrides scheduler-locking.
_said_locking = []


def connect(command):
    """target remote, in all-stop mode when the stub refuses the user's non-stop."""
    try:
        auto = gdb.parameter("kut-load auto")
    except RuntimeError:
        auto = False
    if auto:  # kut-debug's own kut-load follows: one load, not two
        command = "with kut-load auto off -- " + command
    try:
        gdb.execute(command)
    except gdb.error as error:
        if gdb.parameter("non-stop") and "does not support non-stop" in str(error):
            gdb.write("kut-debug: non-stop is on in your gdb settings, and QEMU's gdb stub does "
                      "not support it (%s): connecting in all-stop mode\n"
                      % str(error).rstrip("."))
            gdb.execute("set non-stop off")
        elif not connect_as_qemus_architecture(command, error):
            raise
        gdb.execute(command)


# What gdb says when it read QEMU's registers with the wrong layout: gdb 10.1
# rejects the register description of QEMU 5.2's riscv and falls back to its default.
_WRONG_REGISTER_LAYOUT = ("Truncated register", "Remote 'g' packet reply is too long")


def connect_as_qemus_architecture(command, error):
    """After a connect that failed on the register layout: sets gdb's
    architecture to the one the QEMU behind the port emulates, and says so.
    False when that is not the failure, or QEMU's program is not known."""
    if not str(error).startswith(_WRONG_REGISTER_LAYOUT):
        return False
    from kut_load import arches
    from kut_load.qemu.process import QemuProcess
    argv = QemuProcess(command.split()[-1]).arguments()
    arch = arches.of_qemu_program(argv[0]) if argv else None
    if arch is None:
        return False
    gdb.write("kut-debug: gdb %s could not use QEMU's register description (%s): connecting "
              "again with set architecture %s\n"
              % (gdb.VERSION.split()[0], str(error).rstrip("."), arch.gdb_names[0]))
    gdb.execute("set architecture " + arch.gdb_names[0])
    return True


def continue_every_cpu():
    """continue, resuming every vCPU whatever the user's settings: a test waits
    for its other CPUs, which scheduler-locking or non-stop would leave stopped."""
    command = "continue -a" if gdb.parameter("non-stop") else "continue"
    locking = gdb.parameter("scheduler-locking")
    if locking != "on":
        gdb.execute(command)
        return
    if not _said_locking:
        _said_locking.append(True)
        gdb.write("kut-debug: scheduler-locking is on, which keeps the other vCPUs stopped: "
                  "kut-debug's continue runs them all\n")
    with Setting("scheduler-locking", "off"):
        gdb.execute(command)


def step(argument):
    """Inside gdb: one line of the script. A command of kut-debug's that fails
    is its error line and the end of the script; a command of the user's
    (--ex) that fails is its error line, and the next one runs, as with gdb's
    -ex. Once the guest has ended, nothing more runs, and the end is one
    kut-debug line. --end-of-batch ends gdb -batch with the status gdb gives:
    1 if the last command failed. No sourced-file error is left to gdb."""
    if argument == END_OF_BATCH:
        if _last_failed[0]:
            gdb.execute("quit 1")
        return
    users = argument.startswith(USER_COMMAND)
    command = argument[len(USER_COMMAND):] if users else argument
    if _ended:
        gdb.write("kut-debug: not run, as the guest ended during '%s': %s\n" % (_ended[0], command))
        return
    if _failed:
        return
    _last_failed[0] = True
    was_live = gdb.selected_inferior().pid != 0
    try:
        run_one(command)
    except (gdb.error, gdb.GdbError, KutLoadError) as error:
        lost = str(error).startswith(("Remote connection closed", "Remote communication error"))
        if was_live and lost and gdb.selected_inferior().pid == 0:
            _ended.append(command)
            gdb.write("kut-debug: the guest ended during '%s': %s\n" % (command, error))
            say_guest_debug_exception()
            return
        gdb.write("%s\n" % error, gdb.STDERR)
        if _code_read_only and any(words in str(error) for words in NO_DEBUG_REGISTER):
            gdb.write("kut-debug: under KVM gdb's own stops (next or step over a call, finish, "
                      "until, advance) take a debug register each, as hbreak and watch do, and "
                      "none was left: delete a breakpoint or watchpoint of yours (info "
                      "breakpoints)\n")
        if not users:
            _failed.append(command)
        return
    _last_failed[0] = False
    if was_live and gdb.selected_inferior().pid == 0:
        _ended.append(command)
        say_guest_debug_exception()


def say_guest_debug_exception():
    """One line when the guest's console shows it took a debug exception
    itself: some QEMU and KVM pairs (QEMU 5.2 under a nested KVM, seen) give
    the guest the #DB of gdb's hardware breakpoint, and the test then ends."""
    if _console[0] is None:
        return
    try:
        with open(_console[0], errors="replace") as console:
            taken = GUEST_DEBUG_EXCEPTION.search(console.read())
    except OSError:
        return
    if taken:
        gdb.write("kut-debug: the guest took the debug exception of a hardware breakpoint "
                  "itself (its console: %s): this QEMU under this host's KVM gives it to the "
                  "guest, not to gdb; run the test under TCG (ACCEL=tcg)\n"
                  % taken.group(0).strip())


def run_one(command):
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


def session_facts(console, replay_again=None):
    """Inside gdb: what kut-debug knows of the session. console: the guest's
    console file; replay_again: for a replay, the command that replays it."""
    _console[0] = console
    if replay_again is not None:
        replay_end_note(replay_again)


def replay_end_note(replay_again):
    """Once the replay ends with the guest (the recorded run powered off),
    one line says that nothing goes back from there and how to replay the
    run again: QEMU's replay ends the session at the recording's end (QEMU
    7.2 aborts on a reverse step from a powered-off guest)."""
    running = []  # a detach or kill while stopped ends the inferior too: not the replay's end

    def on_continue(_event):
        running[:] = [True]

    def on_stop(_event):
        running[:] = []

    def on_exited(_event):
        if not running or own_run():
            return
        for event, handler in ((gdb.events.exited, on_exited), (gdb.events.cont, on_continue),
                               (gdb.events.stop, on_stop)):
            event.disconnect(handler)
        gdb.write("kut-debug: the replay reached the end of the recorded run, where QEMU "
                  "ended it, so nothing goes back from here; `%s` replays the same run "
                  "again\n" % replay_again)
    gdb.events.cont.connect(on_continue)
    gdb.events.stop.connect(on_stop)
    gdb.events.exited.connect(on_exited)
