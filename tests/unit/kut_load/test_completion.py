"""TAB completion from the option tables, and the agreement of each
command's help, parser and completer: every option of the table is parsed,
completed and in the help, and nothing else is."""

import importlib
import re

import pytest

from gdb_stub import gdb_stub
from kut_load.command_tables import KUT_BREAK_FAIL, KUT_LOAD
from kut_load import command_line
from kut_load.completion import complete

FILE_WORD_BREAKS = "gdb.COMPLETE_FILENAME"
TABLES = {"kut-load": KUT_LOAD, "kut-break-fail": KUT_BREAK_FAIL}
SAMPLE_VALUES = {command_line.ADDRESS: "0x40080000", command_line.FILE: "x.log",
                 command_line.TEXT: "1"}


def helps():
    """{command: its gdb help}, read from gdb_commands on the stand-in gdb."""
    with gdb_stub():
        commands = importlib.import_module("kut_load.gdb_commands")
        return {"kut-load": commands.KutLoadCommand.__doc__,
                "kut-break-fail": commands.KutBreakFailCommand.__doc__}


HELPS = helps()


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for name in ["arm/gic.elf", "arm/gic.flat", "arm/gic.o", "arm/efi/x.efi",
                 "x86/sieve.efi", "x86/sieve.efi.debug", "x86/sieve.so", "logs/gic.log"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def completions(line, text, word):
    """What gdb is told in both of its calls: word break characters, then completions."""
    return complete(line, text, None, FILE_WORD_BREAKS), complete(line, text, word,
                                                                  FILE_WORD_BREAKS)


def test_the_file_kut_load_takes_is_a_test_file_or_a_directory(tree):
    assert completions(KUT_LOAD, "arm/", "arm/") == (
        FILE_WORD_BREAKS, ["arm/efi/", "arm/gic.elf"])
    assert completions(KUT_LOAD, "-v x86/s", "x86/s") == (
        FILE_WORD_BREAKS, ["x86/sieve.efi", "x86/sieve.efi.debug"])


def test_a_lone_directory_is_entered(tree):
    assert complete(KUT_LOAD, "--address 0x4 ar", "ar", FILE_WORD_BREAKS) == [
        "arm/efi/", "arm/gic.elf"]
    assert complete(KUT_LOAD, "arm/e", "arm/e", FILE_WORD_BREAKS) == ["arm/efi/x.efi"]


def test_options_complete_from_after_gdbs_word_break(tree):
    assert completions(KUT_LOAD, "--dr", "dr") == ([], ["dry-run"])
    assert completions(KUT_LOAD, "arm/gic.elf --ver", "ver") == ([], ["verbose", "version"])
    assert complete(KUT_BREAK_FAIL, "--", "", FILE_WORD_BREAKS) == [
        "at", "log", "console", "breakpoints", "off", "help"]


def test_option_values_complete_as_what_they_are(tree):
    assert completions(KUT_BREAK_FAIL, "--log lo", "lo") == (FILE_WORD_BREAKS, ["logs/gic.log"])
    assert complete(KUT_BREAK_FAIL, "--console arm/", "arm/", FILE_WORD_BREAKS) == [
        "arm/efi/", "arm/gic.elf", "arm/gic.flat", "arm/gic.o"]
    assert completions(KUT_LOAD, "--address ", "") == ([], [])
    assert completions(KUT_BREAK_FAIL, "--at ", "") == ([], [])
    assert completions(KUT_LOAD, "--address=0x", "0x") == ([], [])


def test_where_no_file_is_taken_the_options_are_offered(tree):
    assert complete(KUT_LOAD, "arm/gic.elf ", "", FILE_WORD_BREAKS) == KUT_LOAD.long_names()
    assert completions(KUT_BREAK_FAIL, "", "") == ([], KUT_BREAK_FAIL.long_names())
    assert complete(KUT_BREAK_FAIL, "logs", "logs", FILE_WORD_BREAKS) == []


def test_after_double_dash_a_dash_starts_a_file_name(tree):
    (tree / "-odd.elf").write_bytes(b"")
    assert completions(KUT_LOAD, "-- -o", "-o") == (FILE_WORD_BREAKS, ["-odd.elf"])


def test_a_missing_directory_completes_to_nothing(tree):
    assert complete(KUT_LOAD, "nowhere/gi", "nowhere/gi", FILE_WORD_BREAKS) == []


def options_section(help_text):
    """{label: help} of the rows of the help's "Options:" part."""
    section = help_text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for row in section.splitlines():
        if not row.startswith("   "):
            label, text = re.match(r"^  (\S+(?:,? \S+)*?)  +(.*)$", row).groups()
            rows[label] = text
        else:
            rows[label] += " " + row.strip()
    return rows


@pytest.mark.parametrize("command", sorted(TABLES))
def test_help_lists_each_option_of_the_table_and_names_no_other(command):
    line, help_text = TABLES[command], HELPS[command]
    assert options_section(help_text) == {option.label(): option.help for option in line.options}
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", help_text))
    assert named == set(line.long_names()), named ^ set(line.long_names())


@pytest.mark.parametrize("command", sorted(TABLES))
def test_every_option_of_the_table_is_parsed(command):
    line = TABLES[command]
    for option in line.options:
        for name in option.names:
            if option.takes_value:
                value = SAMPLE_VALUES[option.kind]
                parsed = command_line.parse(line, [name, value])
                assert getattr(parsed, option.attribute) == option.kind.read(value)
            else:
                assert getattr(command_line.parse(line, [name]), option.attribute) is True


@pytest.mark.parametrize("command", sorted(TABLES))
def test_the_completer_offers_each_long_name_and_the_parser_refuses_any_other(command):
    line = TABLES[command]
    # gdb replaces what follows the '-' typed, one of its word break characters.
    offered = ["-" + rest for rest in complete(line, "-", "", FILE_WORD_BREAKS)]
    assert sorted(offered) == sorted(option.long_name for option in line.options)
    for other in ["--nosuch", "-x", "--" + line.long_names()[0][2:] + "s"]:
        with pytest.raises(command_line.UsageError, match="unknown option"):
            command_line.parse(line, [other] + ["1"])
