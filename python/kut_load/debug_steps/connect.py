"""kut-debug's connect step: target remote, whatever the user's settings are."""

import gdb

# What gdb says when it read QEMU's registers with the wrong layout: gdb 10.1
# rejects the register description of QEMU 5.2's riscv and falls back to its default.
_WRONG_REGISTER_LAYOUT = ("Truncated register", "Remote 'g' packet reply is too long")


def connect(target):
    """target remote TARGET (host:port), in all-stop mode when the stub refuses
    the user's non-stop."""
    command = "target remote " + target
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
        elif not connect_as_qemus_architecture(target, error):
            raise
        gdb.execute(command)


def connect_as_qemus_architecture(target, error):
    """After a connect that failed on the register layout: sets gdb's
    architecture to the one the QEMU behind target emulates, and says so.
    False when that is not the failure, or QEMU's program is not known."""
    if not str(error).startswith(_WRONG_REGISTER_LAYOUT):
        return False
    from kut_load import arches
    from kut_load.qemu.process import QemuProcess
    argv = QemuProcess(target).arguments()
    arch = arches.of_qemu_program(argv[0]) if argv else None
    if arch is None:
        return False
    gdb.write("kut-debug: gdb %s could not use QEMU's register description (%s): connecting "
              "again with set architecture %s\n"
              % (gdb.VERSION.split()[0], str(error).rstrip("."), arch.gdb_names[0]))
    gdb.execute("set architecture " + arch.gdb_names[0])
    return True
