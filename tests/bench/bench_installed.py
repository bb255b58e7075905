"""The first kut-load from an installed copy that nobody may write, as a
root-owned /usr install is to its users: with the compiled modules the
install writes, against the same install without them (every first kut-load
then compiles every module), and against add-symbol-file.

The bench runs as whoever it runs as; PYTHONDONTWRITEBYTECODE=1 stands for
the read-only tree: Python may not keep what it compiles."""

import os
import shutil
import subprocess
import sys

from gdb_session import add_symbol_file_command, kut_load_command, run_session
from guests import arm64_guests
from measure import USER_ENVIRONMENT, interleaved, summarize
from paths import ARM64_LOAD_ADDRESS, BUILD, WORK, program
from table import Row

REPEAT = 10
READ_ONLY = dict(USER_ENVIRONMENT, PYTHONDONTWRITEBYTECODE="1")


def install(prefix):
    """cmake --install of the build into prefix, afresh; returns its gdbinit."""
    shutil.rmtree(prefix, ignore_errors=True)
    result = subprocess.run([program("cmake"), "--install", BUILD, "--prefix", prefix],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("cmake --install failed:\n%s%s" % (result.stdout, result.stderr))
    return os.path.join(prefix, "share", "kut-load", "gdbinit")


def without_compiled_modules(prefix):
    for directory, subdirectories, _ in os.walk(prefix):
        if "__pycache__" in subdirectories:
            shutil.rmtree(os.path.join(directory, "__pycache__"))
            subdirectories.remove("__pycache__")


def run(repeat=REPEAT):
    compiled = install(os.path.join(WORK, "installed"))
    plain_prefix = os.path.join(WORK, "installed-uncompiled")
    plain = install(plain_prefix)
    without_compiled_modules(plain_prefix)
    elf, flat = arm64_guests()["real-size"]

    def session(command, gdbinit):
        return lambda: run_session("aarch64", flat, command, gdbinit, env=READ_ONLY)[1] * 1000

    runs = interleaved({
        "compiled": session(kut_load_command(elf), compiled),
        "uncompiled": session(kut_load_command(elf), plain),
        "floor": session(add_symbol_file_command(elf, ARM64_LOAD_ADDRESS), False),
    }, repeat)
    ms = {name: summarize(samples) for name, samples in runs.items()}
    return [
        Row("first load + info line main, installed read-only, real-size guest, inside gdb",
            ms["compiled"], ms["floor"], "ms", "informational", None,
            note="the install's compiled modules: kut-load adds %.1f ms to add-symbol-file"
                 % (ms["compiled"].median - ms["floor"].median)),
        Row("the same, install without compiled modules", ms["uncompiled"], ms["floor"], "ms",
            "informational", None,
            note="compiling every module at every first kut-load costs %.1f ms"
                 % (ms["uncompiled"].median - ms["compiled"].median)),
    ]


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
