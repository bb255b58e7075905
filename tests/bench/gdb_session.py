"""One timed gdb session against a freshly paused QEMU: a gdb script that
connects, runs one command inside a perf_counter pair, and reports it."""

import os
import re
import tempfile

from measure import run_process
from paths import GDBINIT, program
from session import Qemu

_SECONDS = re.compile(r"^bench-seconds ([0-9.]+)$", re.M)


def timed_script(port, command, after=()):
    """gdb script text: connect, time command with perf_counter, then after."""
    lines = [
        "target remote 127.0.0.1:%d" % port,
        "python",
        "import time",
        "bench_start = time.perf_counter()",
        "gdb.execute(%r)" % command,
        r'gdb.write("bench-seconds %.6f\n" % (time.perf_counter() - bench_start))',
        "end",
    ] + list(after)
    return "\n".join(lines) + "\n"


def run_session(flat, command, with_gdbinit, after=()):
    """(whole gdb process run, seconds inside gdb for command) for one fresh QEMU."""
    with Qemu("aarch64", flat) as qemu, tempfile.NamedTemporaryFile(
            "w", suffix=".gdb", prefix="kut-bench-") as script:
        script.write(timed_script(qemu.port, command, after))
        script.flush()
        argv = [program("gdb-multiarch"), "-nx", "-batch"]
        if with_gdbinit:
            argv += ["-x", GDBINIT]
        run = run_process(argv + ["-x", script.name])
    match = _SECONDS.search(run.output)
    if run.status != 0 or not match or "Error" in run.output or "Traceback" in run.output:
        raise SystemExit("gdb session failed (%s):\n%s" % (command, run.output))
    return run, float(match.group(1))


def kut_load_command(elf):
    return "kut-load %s" % os.path.abspath(elf)


def add_symbol_file_command(elf, offset):
    return "add-symbol-file %s -o %#x" % (os.path.abspath(elf), offset)
