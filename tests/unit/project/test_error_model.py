"""One error model: every exception class of the kut_load package, found by
importing each of its modules, is a KutLoadError and no ValueError (so that
a bug's ValueError is never shown as the user's fault), unless it is one of
the few internal ones below; and only the commands' one boundary,
gdb_commands.run_command, raises gdb's error."""

import ast
import importlib
import os
import pkgutil

import pytest

import kut_load
from gdb_stub import gdb_stub
from kut_load.errors import KutLoadError

# Exceptions that never reach a user, each with the reason.
INTERNAL = {
    "kut_load.native._NotLoaded": "stands for the native ElfError before the module is "
                                  "loaded: nothing raises it",
    "kut_load.efi.tables.TableError": "efi/find.py turns each into a line of -v's listing",
    "kut_load.efi.pe.PeError": "efi/files.py raises it again as an EfiFileError naming "
                               "the file",
}


def exception_classes():
    """{module.Class: class} of every exception class a kut_load module defines;
    the modules that import gdb are imported with the stand-in for it."""
    found = {}
    with gdb_stub():
        for module_info in pkgutil.walk_packages(kut_load.__path__, "kut_load."):
            module = importlib.import_module(module_info.name)
            for value in vars(module).values():
                if (isinstance(value, type) and issubclass(value, BaseException)
                        and value.__module__ == module.__name__):
                    found["%s.%s" % (module.__name__, value.__qualname__)] = value
    return found


EXCEPTIONS = exception_classes()


@pytest.mark.parametrize("name", sorted(set(EXCEPTIONS) - set(INTERNAL)))
def test_every_other_exception_is_a_kut_load_error_and_no_value_error(name):
    error = EXCEPTIONS[name]
    assert issubclass(error, KutLoadError), "%s reaches users: make it a KutLoadError" % name
    assert not issubclass(error, ValueError), "%s: a bug's ValueError would pass as it" % name


@pytest.mark.parametrize("name", sorted(INTERNAL))
def test_internal_exceptions_are_there_and_no_user_errors(name):
    assert name in EXCEPTIONS, "%s is gone: take it off INTERNAL" % name
    assert not issubclass(EXCEPTIONS[name], KutLoadError)


def test_the_modules_that_import_gdb_are_searched_too():
    assert {"kut_load.debug_steps.efi_wait.EfiStartError",
            "kut_load.break_fail.command.GuestMemoryError", "kut_load.break_fail.log.FailLogError",
            "kut_load.command_line.UsageError"} <= set(EXCEPTIONS)


def gdb_error_raises(path):
    """Line numbers of `raise gdb.GdbError(...)` in a source file."""
    with open(path) as source:
        tree = ast.parse(source.read(), path)
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Attribute)
            and node.exc.func.attr == "GdbError"]


BOUNDARY = os.path.join("kut_load", "gdb_commands.py")


def test_only_the_error_boundary_raises_gdbs_error():
    """Every error a user can cause is a KutLoadError, which the one boundary
    (gdb_commands.run_command) turns into gdb's error line."""
    root = os.path.dirname(kut_load.__path__[0])
    raising = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if name.endswith(".py") and os.path.relpath(path, root) != BOUNDARY:
                lines = gdb_error_raises(path)
                if lines:
                    raising[os.path.relpath(path, root)] = lines
    assert raising == {}
