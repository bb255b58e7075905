"""kut-load's argument parsing."""

import pytest

from kut_load.command_line import GdbExpression
from kut_load.load.options import UsageError, parse


def test_defaults():
    options = parse([])
    assert options.elf is None and options.address is None
    assert not (options.dry_run or options.force or options.verbose or options.version
                or options.help)


def test_elf_and_every_flag():
    options = parse(["--dry-run", "--force", "-v", "arm/gic.elf"])
    assert options.elf == "arm/gic.elf"
    assert options.dry_run and options.force and options.verbose
    assert parse(["--verbose"]).verbose
    assert parse(["--version"]).version
    assert parse(["-h"]).help and parse(["--help"]).help


def test_file_name_with_spaces_stays_whole():
    assert parse(["my tests/it's.elf"]).elf == "my tests/it's.elf"


def test_file_name_after_double_dash_may_start_with_a_dash():
    assert parse(["--", "-weird.elf"]).elf == "-weird.elf"


@pytest.mark.parametrize("text, value", [
    ("0x40080000", 0x40080000), ("0X40080000", 0x40080000), ("1074266112", 0x40080000),
    ("0", 0), ("0xffffffffffffffff", 2**64 - 1), ("0o17", 15), ("0b101", 5),
])
def test_address(text, value):
    assert parse(["--address", text]).address == value
    assert parse(["--address=" + text, "x.elf"]).address == value


def test_a_negative_address_is_refused():
    with pytest.raises(UsageError) as refused:
        parse(["--address=-0x10"])
    message = str(refused.value)
    assert "is negative" in message and "'-0x10'" in message
    assert message.endswith("; see 'help kut-load'")


@pytest.mark.parametrize("text", ["$kut_base", "&_text + 0x1000", "main", "010", "40080000h", ""])
def test_what_is_not_a_number_is_left_for_gdb_to_evaluate(text):
    # gdb's words say what is wrong with it (tests/e2e/kut_load/test_hostile.py: --address).
    address = parse(["--address", text]).address
    assert isinstance(address, GdbExpression) and address == text


@pytest.mark.parametrize("argv, words", [
    (["--bogus"], "unknown option '--bogus'"),
    (["a.elf", "b.elf"], "unexpected argument 'b.elf': give one ELF file, in quotes if its "
                         "path has spaces"),
    (["--address"], "--address needs an address"),
    (["--dry"], "unknown option '--dry'"),
    (["--force=yes"], "unknown option '--force=yes'"),
])
def test_bad_options(argv, words):
    with pytest.raises(UsageError) as refused:
        parse(argv)
    message = str(refused.value)
    assert words in message
    assert message.endswith("; see 'help kut-load'")
    assert "\n" not in message and "usage:" not in message
