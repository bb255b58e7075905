"""The commands' one boundary, gdb_commands.run_command: a user error is one
gdb error sentence, anything else a bug named in one line."""

import importlib
import types

import pytest

from gdb_stub import gdb_stub
from kut_load.errors import KutLoadError, TargetError


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
