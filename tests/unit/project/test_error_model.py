"""One error model: every exception class of the kut_load package, found by
importing each of its modules, is a KutLoadError and no ValueError (so that
a bug's ValueError is never shown as the user's fault), unless it is one of
the few internal ones below; and the commands' one boundary,
gdb_commands.run_command, shows a user error as one gdb error sentence."""

import ast
import importlib
import os
import pkgutil
import types

import pytest

import kut_load
from gdb_stub import gdb_stub
from kut_load import native as native_loader
from kut_load.errors import KutLoadError, TargetError, whole_read

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
    assert {"kut_load.efi.start.EfiStartError", "kut_load.break_fail.command.GuestMemoryError",
            "kut_load.break_fail.log.FailLogError",
            "kut_load.command_line.UsageError"} <= set(EXCEPTIONS)


def test_the_boundary_catches_the_native_modules_elf_error(native):
    assert native_loader.elf_error() is native.ElfError


def test_whole_read_refuses_short_and_long_answers():
    with pytest.raises(TargetError, match="gave 5 of the 4 bytes"):
        whole_read(b"abcde", 0x40080000, 4)


@pytest.fixture
def boundary():
    """gdb_commands on the stand-in gdb, with a guest that is connected
    until a test sets boundary.guest.pid = 0."""
    with gdb_stub() as gdb:
        commands = importlib.import_module("kut_load.gdb_commands")
        commands.guest = types.SimpleNamespace(pid=42)
        gdb.selected_inferior = lambda: commands.guest
        yield commands


def refusal(boundary, error, lose_guest=False):
    """What gdb is given when the command's work raises error."""
    def work():
        if lose_guest:
            boundary.guest.pid = 0
        raise error
    with pytest.raises(BaseException) as raised:
        boundary.run_command("kut-x", work)
    return raised.value


@pytest.mark.parametrize("error", [
    KutLoadError("a user's\n   mistake"), TargetError("a user's mistake"),
    FileNotFoundError(2, "No such file or directory"),
])
def test_a_user_error_is_one_gdb_error_sentence(boundary, error):
    shown = refusal(boundary, error)
    assert type(shown) is boundary.gdb.GdbError
    assert "\n" not in str(shown) and str(shown) == " ".join(str(error).split())


def test_a_gdb_error_sentence_of_the_command_passes_as_it_is(boundary):
    error = boundary.gdb.GdbError("said already")
    assert refusal(boundary, error) is error


def test_anything_else_is_a_bug_named_in_one_line(boundary):
    boundary.gdb.parameter = {"python print-stack": "message"}.get
    shown = refusal(boundary, AttributeError("'gdb.Inferior' object has\nno attribute 'x'"))
    assert type(shown) is boundary.gdb.GdbError and "\n" not in str(shown)
    assert str(shown).startswith("kut-x failed inside kut-load (AttributeError: 'gdb.Inferior' "
                                 "object has no attribute 'x'); this is kut-load's bug")


def test_a_bug_keeps_its_stack_where_the_user_asked_for_stacks(boundary):
    boundary.gdb.parameter = {"python print-stack": "full"}.get
    error = ValueError("a bug")
    assert refusal(boundary, error) is error


def test_a_connection_that_closed_is_said_with_the_commands_name(boundary):
    shown = refusal(boundary, boundary.gdb.error("Remote connection closed"))
    assert str(shown).startswith("the connection to QEMU closed while kut-x read the target "
                                 "(Remote connection closed); QEMU exited or dropped gdb")
    shown = refusal(boundary, boundary.gdb.error("Cannot access memory"), lose_guest=True)
    assert type(shown) is boundary.gdb.GdbError and "(Cannot access memory)" in str(shown)


def test_gdbs_other_errors_are_not_blamed_on_the_connection(boundary):
    error = boundary.gdb.error("No symbol table is loaded.")
    assert refusal(boundary, error) is error
    boundary.guest.pid = 0  # never connected: the command did not lose anything
    assert refusal(boundary, error) is error


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
