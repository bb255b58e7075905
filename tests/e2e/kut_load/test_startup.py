"""The gdbinit: cheap to source, works from anywhere, and explains a native
module built for another Python instead of showing a traceback."""

import os
import shutil
import sys

from conftest import REPO
from kut_load.load.options import parse
from session import GDBINIT, run_gdb

LOADED_MODULES = ("python import sys; print('native loaded:', '_kut_native' in sys.modules, "
                  "'kut_load.gdb_commands' in sys.modules)")


def test_sourcing_defines_the_command_without_importing_the_native_module(tmp_path):
    out = run_gdb(0, [LOADED_MODULES, "help kut-load", "show kut-load auto"], connect=False,
                  cwd=tmp_path)
    assert "native loaded: False True" in out, out
    assert "Usage: kut-load [OPTIONS] [ELF]" in out, out


def test_sourced_from_a_users_gdbinit(tmp_path):
    user_gdbinit = tmp_path / "gdbinit-of-user"
    user_gdbinit.write_text("set history save off\nsource %s\n" % GDBINIT)
    out = run_gdb(0, ["kut-load --version"], gdbinit=str(user_gdbinit), connect=False,
                  cwd=tmp_path)
    assert out.startswith("kut-load ") and "Traceback" not in out, out


def test_completion_offers_the_files_kut_load_takes(tmp_path):
    (tmp_path / "arm").mkdir()
    (tmp_path / "arm" / "gic.elf").write_bytes(b"")
    (tmp_path / "arm" / "gic.flat").write_bytes(b"")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "gic.log").write_bytes(b"")
    out = run_gdb(0, ["complete kut-load arm/gic.e", "complete kut-load -v arm/gic.e",
                      'complete kut-load --force "arm/gic.e', "complete kut-load --address 0x4 ar",
                      "complete kut-break-fail --log lo",
                      "complete kut-load -v nowhere/gi"], connect=False, cwd=tmp_path)
    # gdb 16 also closes the quote of a lone match.
    assert out.replace('"arm/gic.elf"\n', '"arm/gic.elf\n').splitlines() == [
        "kut-load arm/gic.elf", "kut-load -v arm/gic.elf", 'kut-load --force "arm/gic.elf',
        # A lone directory is entered: gdb would put a space after it. QEMU's
        # flat image is no file kut-load takes: only its ELF is offered.
        "kut-load --address 0x4 arm/gic.elf",
        "kut-break-fail --log logs/gic.log"], out


def test_completion_offers_the_options_each_command_parses(tmp_path):
    (tmp_path / "--dry-run.elf").write_bytes(b"")  # a file name is never offered for '-'
    out = run_gdb(0, ["complete kut-load -", "complete kut-load gic.elf --dr",
                      "complete kut-break-fail --"], connect=False, cwd=tmp_path)
    lines = out.splitlines()
    load = {line.split()[-1] for line in lines if line.startswith("kut-load -")}
    assert load == {"--address", "--dry-run", "--force", "--help", "--verbose", "--version"}, out
    assert "kut-load gic.elf --dry-run" in lines, out
    for option in load - {"--address"}:
        parse([option])
    parse(["--address", "0x40080000"])
    break_fail = {line.split()[-1] for line in lines if line.startswith("kut-break-fail ")}
    assert break_fail == {"--at", "--breakpoints", "--console", "--help", "--log", "--off"}, out
    values = {"--at": ["1"], "--log": ["x.log"], "--console": ["x.txt"]}
    argvs = [[option] + values.get(option, []) for option in sorted(break_fail)]
    out = run_gdb(0, ["python from kut_load.break_fail.command import parse; "
                      "[parse(argv) for argv in %r]; print('parsed')" % argvs], connect=False)
    assert out.strip() == "parsed", out


def test_module_for_another_python_is_explained(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(os.path.join(REPO, "python"), checkout / "python",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(GDBINIT, checkout / "gdbinit")
    (checkout / "CMakeLists.txt").write_text("")
    (checkout / "build" / "native").mkdir(parents=True)
    # A Python other than the one gdb embeds, which is the one running the tests.
    other = (3, 8) if sys.version_info[:2] != (3, 8) else (3, 7)
    (checkout / "build" / "native" /
     ("_kut_native.cpython-%d%d-x86_64-linux-gnu.so" % other)).write_bytes(b"")
    (tmp_path / "x.elf").write_bytes(b"")
    out = run_gdb(0, ["kut-load x.elf"], gdbinit=str(checkout / "gdbinit"), connect=False,
                  cwd=tmp_path)
    assert "was built for Python %d.%d, but this gdb embeds Python 3." % other in out, out
    assert "cmake --build" in out and "Traceback" not in out, out


def test_missing_module_says_how_to_build(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(os.path.join(REPO, "python"), checkout / "python",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy(GDBINIT, checkout / "gdbinit")
    (checkout / "CMakeLists.txt").write_text("")
    (tmp_path / "x.elf").write_bytes(b"")
    out = run_gdb(0, ["kut-load x.elf"], gdbinit=str(checkout / "gdbinit"), connect=False,
                  cwd=tmp_path)
    assert "native module is not built" in out and "cmake -S" in out, out
