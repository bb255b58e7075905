"""One timed gdb session against a freshly paused QEMU: a gdb script that
connects, runs the commands inside a perf_counter pair, and reports it."""

import os
import re
import tempfile

from measure import run_process
from paths import GDBINIT, program
from session import Qemu

_SECONDS = re.compile(r"^bench-seconds ([0-9.]+)$", re.M)
# What a user does next, and what makes gdb read main's line table: both sides run it.
FIRST_LOOKUP = "info line main"


def timed_script(port, commands, after=()):
    """gdb script text: connect, time the commands with perf_counter, then after."""
    lines = [
        "target remote 127.0.0.1:%d" % port,
        "python",
        "import time",
        "bench_start = time.perf_counter()",
    ] + ["gdb.execute(%r, to_string=True)" % command for command in commands] + [
        r'gdb.write("bench-seconds %.6f\n" % (time.perf_counter() - bench_start))',
        "end",
    ] + list(after)
    return "\n".join(lines) + "\n"


def gdb_argv(with_gdbinit):
    """with_gdbinit: False, True for GDBINIT, or the path of another gdbinit."""
    argv = [program("gdb-multiarch"), "-nx", "-batch"]
    if with_gdbinit:
        argv += ["-x", GDBINIT if with_gdbinit is True else with_gdbinit]
    return argv


def run_session(qemu_arch, flat, command, with_gdbinit, after=(), link=None, env=None):
    """(whole gdb process run, seconds inside gdb for command + FIRST_LOOKUP) for
    one fresh QEMU; link(port) -> context manager giving the port gdb connects
    to instead (the delay proxy); env: gdb's environment if not the user's."""
    with Qemu(qemu_arch, flat) as qemu, tempfile.NamedTemporaryFile(
            "w", suffix=".gdb", prefix="kut-bench-") as script:
        if link is None:
            run = _run_script(script, qemu.port, command, with_gdbinit, after, env)
        else:
            with link(qemu.port) as port:
                run = _run_script(script, port, command, with_gdbinit, after, env)
    match = _SECONDS.search(run.output)
    if run.status != 0 or not match or "Error" in run.output or "Traceback" in run.output:
        raise SystemExit("gdb session failed (%s):\n%s" % (command, run.output))
    return run, float(match.group(1))


def _run_script(script, port, command, with_gdbinit, after, env):
    script.seek(0)
    script.truncate()
    script.write(timed_script(port, [command, FIRST_LOOKUP], after))
    script.flush()
    return run_process(gdb_argv(with_gdbinit) + ["-x", script.name], env=env)


def kut_load_command(elf):
    return "kut-load %s" % os.path.abspath(elf)


def add_symbol_file_command(elf, offset):
    return "add-symbol-file %s -o %#x" % (os.path.abspath(elf), offset)
