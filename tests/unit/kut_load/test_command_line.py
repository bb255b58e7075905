"""The one parser of kut-load's and kut-break-fail's command lines, run by
each command's option table (kut-load's own cases are in test_options.py)."""

import importlib

import pytest

from gdb_stub import gdb_stub
from kut_load.command_tables import KUT_BREAK_FAIL, KUT_LOAD
from kut_load import command_line
from kut_load.command_line import UsageError


def break_fail(argv):
    return command_line.parse(KUT_BREAK_FAIL, argv)


def test_break_fail_defaults_and_every_option():
    options = break_fail([])
    assert (options.at, options.log, options.console) == (None, None, None)
    assert not (options.off or options.breakpoints or options.help)
    options = break_fail(["--at", "2", "--log", "x.log", "--console", "c.txt", "--breakpoints",
                          "--off", "-h"])
    assert (options.at, options.log, options.console) == ("2", "x.log", "c.txt")
    assert options.off and options.breakpoints and options.help
    assert break_fail(["--help"]).help


def test_a_value_is_the_next_word_whatever_it_starts_with_or_after_equals():
    assert break_fail(["--at", "-1"]).at == "-1"
    assert break_fail(["--log=my log.txt"]).log == "my log.txt"
    with pytest.raises(UsageError, match=r"^'-5' is negative; see 'help kut-load'$"):
        command_line.parse(KUT_LOAD, ["--address", "-5"])


@pytest.mark.parametrize("argv, message", [
    (["extra"], "unexpected argument 'extra'"),
    (["-"], "unexpected argument '-'"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--log"], "--log needs a file"),
    (["--at"], "--at needs a value"),
    (["--of"], "unknown option '--of' (did you mean --off?)"),
    (["--off=1"], "unknown option '--off=1' (did you mean --off?)"),
])
def test_break_fail_refusals_name_the_word_and_the_help(argv, message):
    with pytest.raises(UsageError) as refused:
        break_fail(argv)
    assert str(refused.value) == message + "; see 'help kut-break-fail'"


@pytest.mark.parametrize("word, suggestion", [
    ("--adress", " (did you mean --address?)"), ("--dr", " (did you mean --dry-run?)"),
    ("--ver", " (did you mean --version?)"), ("--bogus", ""),
])
def test_kut_load_refusals_keep_their_suggestion(word, suggestion):
    with pytest.raises(UsageError) as refused:
        command_line.parse(KUT_LOAD, [word])
    assert str(refused.value) == "unknown option %r%s; see 'help kut-load'" % (word, suggestion)


@pytest.fixture
def break_fail_command():
    with gdb_stub():
        yield importlib.import_module("kut_load.break_fail.command")


@pytest.mark.parametrize("argv, message", [
    (["--at", "nosuch"], "--at TEXT picks a FAIL line of a log: give --log LOG too"),
    (["--at", "0"], "--at counts from 1"),
])
def test_break_fails_own_checks_of_at(break_fail_command, argv, message):
    with pytest.raises(UsageError, match="^%s$" % message):
        break_fail_command.parse(argv)
    assert break_fail_command.parse(["--at", "nosuch", "--log", "x.log"]).at == "nosuch"


def test_help_rows_wrap_beside_the_widest_label():
    rows = command_line.options_help(KUT_LOAD).splitlines()
    assert rows[:3] == ["Options:", "  --address ADDR  Where the image starts in the guest (a "
                                    "number, or a gdb",
                        "                  expression such as $kut_base); skips detection."]
    assert rows[5:7] == ["  -v, --verbose   Show what was read, how it was decoded, the "
                         "sections and", "                  the checks."]
    assert max(len(row) for row in rows) <= command_line.HELP_WIDTH


@pytest.mark.parametrize("argv, interpreter", [
    (["gdb-multiarch", "-q", "--interpreter=mi2"], "mi2"),
    (["gdb", "-i", "mi"], "mi"),
    (["gdb", "-i=mi3", "-nx"], "mi3"),
    (["gdb", "--interpreter", "mi"], "mi"),
    (["gdb", "-x", "gdbinit", "arm/gic.elf"], None),
    (["gdb", "-i"], None)])
def test_the_interpreter_gdb_is_started_with(argv, interpreter):
    with gdb_stub():
        from kut_load.breakpoints import interpreter_of
        assert interpreter_of(argv) == interpreter
