"""The gdbinit: cheap to source, works from anywhere, and explains a native
module built for another Python instead of showing a traceback."""

import os
import shutil

from conftest import REPO
from session import GDBINIT, run_gdb

LOADED_MODULES = ("python import sys; print('native loaded:', '_kut_native' in sys.modules, "
                  "'kut_load.commands' in sys.modules)")


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


def test_completion_offers_file_names(tmp_path):
    (tmp_path / "gic.elf").write_bytes(b"")
    out = run_gdb(0, ["complete kut-load gi"], connect=False, cwd=tmp_path)
    assert "kut-load gic.elf" in out, out


def test_module_for_another_python_is_explained(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(os.path.join(REPO, "python"), checkout / "python",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(GDBINIT, checkout / "gdbinit")
    (checkout / "CMakeLists.txt").write_text("")
    (checkout / "build" / "native").mkdir(parents=True)
    (checkout / "build" / "native" / "_kut_native.cpython-39-x86_64-linux-gnu.so").write_bytes(b"")
    (tmp_path / "x.elf").write_bytes(b"")
    out = run_gdb(0, ["kut-load x.elf"], gdbinit=str(checkout / "gdbinit"), connect=False,
                  cwd=tmp_path)
    assert "was built for Python 3.9, but this gdb embeds Python 3." in out, out
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
