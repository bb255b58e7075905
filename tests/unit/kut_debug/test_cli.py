"""kut-debug's command line."""

import pytest

from kut_debug import cli
from kut_debug.errors import DebugError


def test_a_misspelt_option_is_answered_with_the_near_one():
    with pytest.raises(DebugError, match=r"^unrecognized arguments: --fial \(did you mean "
                                         r"--fail\?\); see kut-debug --help$"):
        cli.parse(["--fial", "gicv2-mmio-up"])
    with pytest.raises(DebugError, match=r"^unrecognized arguments: --zzzz; see kut-debug"):
        cli.parse(["--zzzz", "gicv2-mmio-up"])


def test_command_line_forms():
    options, command = cli.parse(["--batch", "--ex", "bt", "--ex", "info registers", "pmu"])
    assert options.test == "pmu" and command is None and options.ex == ["bt", "info registers"]
    assert options.break_at == "main"
    options, command = cli.parse(["--break", "report_summary", "--", "qemu-system-arm", "-S"])
    assert command == ["qemu-system-arm", "-S"] and options.break_at == "report_summary"
    with pytest.raises(DebugError, match="either a log or a command"):
        cli.parse(["pmu", "--", "qemu-system-arm"])
    with pytest.raises(DebugError, match="give a log file or a test name"):
        cli.parse(["--batch"])
    with pytest.raises(DebugError, match="unrecognized arguments: --bogus"):
        cli.parse(["--bogus", "pmu"])
