"""gdb's reverse commands refused where QEMU's replay would hang in them
(x86, riscv64, s390x: arches.py's reverse): a pre-hook of each (hook-reverse-stepi,
...) runs kut-reverse-refusal, whose error keeps gdb from running the
command. Defined where the user has no hook of that name; kut-debug defines
them in every session that replays a recording."""

from kut_load import gdb_hooks

# gdb's commands that go back; their aliases (rsi, rc, ...) run the same hooks.
REVERSE_COMMANDS = ("reverse-step", "reverse-next", "reverse-stepi", "reverse-nexti",
                    "reverse-continue", "reverse-finish")
# The command each hook runs.
REFUSAL = "kut-reverse-refusal"


def install():
    """Defines the hook of each reverse command the user has none of."""
    listing = gdb_hooks.user_listing()
    script = "".join("define hook-%s\n%s %s\nend\n" % (command, REFUSAL, command)
                     for command in REVERSE_COMMANDS
                     if gdb_hooks.user_definition("hook-" + command, listing) is None)
    if script:
        gdb_hooks.define(script)
