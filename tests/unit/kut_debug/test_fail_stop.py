"""kut-debug --fail's gdb commands (kut_debug.fail_stop): checked, quoted,
and refused before anything starts."""

import pytest

from kut_debug.errors import DebugError
from kut_debug.fail_stop import stop_commands

LOG = ("timeout 90s qemu-system-aarch64 -kernel arm/gic.flat\n"
       "FAIL: it said \"no\" \\ twice\nFAIL: b\n")


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "t.log"
    path.write_text(LOG)
    return str(path)


def test_first_fail_line_with_log_and_console(log):
    assert stop_commands(log, None, "logs/t.console") == [
        'kut-break-fail --log "%s" --console "logs/t.console"' % log]


def test_text_with_quotes_and_backslashes_stays_one_word(log):
    assert stop_commands(log, 'said "no" \\', None)[0] == (
        'kut-break-fail --log "%s" --at "said \\"no\\" \\\\"' % log)


def test_without_log_only_a_number():
    assert stop_commands(None, "2", None) == ["kut-break-fail --at \"2\""]
    with pytest.raises(DebugError, match="^--fail-at TEXT picks a FAIL line of a log"):
        stop_commands(None, "text", None)


@pytest.mark.parametrize("which, message", [
    ("3", "has 2 FAIL lines; give a number from 1 to 2$"),
    ("nosuch", "^no FAIL line of .* contains 'nosuch'$"),
    ("a\nb", "contains the control character"),
])
def test_refused(log, which, message):
    with pytest.raises(DebugError, match=message):
        stop_commands(log, which, None)


def test_unreadable_log(tmp_path):
    with pytest.raises(DebugError, match="^cannot read the log"):
        stop_commands(str(tmp_path / "none.log"), None, None)
