"""The command line of a QEMU replaying a recording (-icount ...,rr=replay),
rewritten to replay it again from its start under a gdb stub of its own.
Pure."""

from kut_load.qemu import options as qemu_options


def is_replay(argv):
    """Whether argv (program first) replays a recording (-icount rr=replay)."""
    return any(item.name == "-icount" and "rr=replay" in (item.value or "").split(",")
               for item in qemu_options.items(argv[1:]))


def restarted(argv, port):
    """argv with its gdb stub (-s, -gdb) replaced by one on 127.0.0.1:port,
    and stopped before the first instruction (-S) once."""
    kept = [item for item in qemu_options.items(argv[1:])
            if item.name not in ("-s", "-gdb", "-S")]
    return [argv[0]] + qemu_options.words(kept) + ["-gdb", "tcp:127.0.0.1:%d" % port, "-S"]
