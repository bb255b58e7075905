"""Quoting for gdb command lines, checked against independent splitters that
follow libiberty's buildargv (what add-symbol-file uses) before and from gdb 16."""

import pytest

from argv_splitters import SPLITTERS, buildargv, posix_buildargv
from kut_load.errors import KutLoadError
from kut_load.quoting import UnsafeName, check_printable, hex_address, quote_argument


def test_splitter_follows_buildargv():
    assert buildargv("  a  'b c'  \"d 'e\" f\\ g 'h\\'i' ") == ["a", "b c", "d 'e", "f g", "h'i"]
    assert buildargv("x''y ''") == ["xy", ""]


def test_splitter_follows_posix_buildargv():
    words = ["a", "b c", "d 'e", "f g", "h\\", "i"]
    assert posix_buildargv("  a  'b c'  \"d 'e\" f\\ g 'h\\' i") == words
    assert posix_buildargv('"a\\b\\\\c\\"d"') == ['a\\b\\c"d']


def test_single_quotes_read_differently_by_the_two():
    """Why the quoting changed: the old single-quoted form loses its meaning."""
    line = "'it\\'s'"
    assert buildargv(line) != posix_buildargv(line)


NAMES = [
    "plain.elf",
    "/abs/path/arm/gic.elf",
    "with space.elf",
    "  leading and trailing  ",
    "it's.elf",
    "'quoted'",
    '"double"',
    "back\\slash",
    "trailing\\",
    "\\'",
    "$HOME/$(id)",
    "a;b",
    "#comment",
    "-o 0x1000",
    "mixed '\" \\ $;# end",
    "ünïcødé.elf",
    "",
]


@pytest.mark.parametrize("split", SPLITTERS)
@pytest.mark.parametrize("name", NAMES)
def test_quoted_argument_is_one_word_with_the_same_text(name, split):
    quoted = quote_argument(name)
    assert split(quoted) == [name]
    assert split("add-symbol-file %s -o 0x40080000" % quoted) == [
        "add-symbol-file", name, "-o", "0x40080000"]


@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\0", "\x1b", "\x7f", "\x0b"])
def test_control_characters_are_refused(char):
    name = "x.elf" + char + "echo INJECTED"
    with pytest.raises(UnsafeName) as refused:
        quote_argument(name, "file name")
    assert str(refused.value).startswith("file name ")
    assert repr(char) in str(refused.value)
    with pytest.raises(UnsafeName):
        check_printable(name, "section name")


def test_printable_text_is_returned_as_is():
    assert check_printable("a b'c\\", "name") == "a b'c\\"


def test_unsafe_name_is_a_user_error_not_a_value_error():
    # The command boundary catches KutLoadError; a bare ValueError is a bug.
    assert issubclass(UnsafeName, KutLoadError)
    assert not issubclass(UnsafeName, ValueError)


@pytest.mark.parametrize("value, text", [
    (0, "0x0"), (0x40080000, "0x40080000"), (-0x10, "-0x10"),
    (2**64 - 1, "0xffffffffffffffff"),
])
def test_hex_address(value, text):
    assert hex_address(value) == text
    assert int(text, 0) == value


def test_hex_address_refuses_text():
    with pytest.raises(ValueError):
        hex_address("0x10; echo")
