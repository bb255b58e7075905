"""kut-debug's steps that take the guest to where it stops: the breakpoint,
under KVM a hardware one with the test's code read-only for gdb, and a
continue that resumes every vCPU."""

import gdb

from kut_load.errors import KutLoadError
from kut_load.session import Setting, loaded_plan, under_kvm

# Whether the test's code is read-only for gdb (code_read_only): gdb's own stops are hardware.
_code_read_only = []
# Whether kut-debug said it overrides scheduler-locking.
_said_locking = []


class BreakpointRefused(KutLoadError):
    """gdb could not set kut-debug's breakpoint at the location given."""


def break_at(location):
    """`break LOCATION`, or under KVM, where a software breakpoint does not
    stop the guest (an int3 or BRK byte in guest RAM, which x86's multiboot
    ROM overwrites when it copies the kernel), a temporary hardware one,
    whose debug register is free again once reached; the test's code is
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
        raise BreakpointRefused("%s\nkut-debug: no breakpoint at %s, so the guest is not run "
                                "further; give --break a function or FILE:LINE of the test"
                                % (str(error).rstrip(), location)) from None
    if kvm:
        code_read_only()


def code_read_only():
    """Marks the loaded test's code read-only for gdb (its `mem` regions): gdb
    then places the breakpoints of its own run control (next and step over a
    call, finish, until, advance) as hardware ones (`breakpoint auto-hw`, on by
    default), which stop a KVM guest; an int3 of gdb's would end it."""
    from kut_load.efi.ram import merged
    plan = loaded_plan()
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


def code_is_read_only():
    """Whether break_at made the test's code read-only for gdb (under KVM)."""
    return bool(_code_read_only)


def continue_every_cpu():
    """continue, resuming every vCPU whatever the user's settings: a test waits
    for its other CPUs, which scheduler-locking or non-stop would leave stopped."""
    command = "continue -a" if gdb.parameter("non-stop") else "continue"
    if gdb.parameter("scheduler-locking") != "on":
        gdb.execute(command)
        return
    if not _said_locking:
        _said_locking.append(True)
        gdb.write("kut-debug: scheduler-locking is on, which keeps the other vCPUs stopped: "
                  "kut-debug's continue runs them all\n")
    with Setting("scheduler-locking", "off"):
        gdb.execute(command)
