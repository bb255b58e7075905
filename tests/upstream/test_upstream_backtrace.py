"""bt at main ends at main, as gdb's own `backtrace past-main off` ends it for
a program it knows, though kut-load loads the test with add-symbol-file. The
frames past main are gdb's own unfiltered unwinding (`bt -no-filters`), which
must still list them: the filter, not the unwinder, ends the backtrace."""

import re

import pytest

from test_upstream_arches import assert_stopped_in_main, run

FRAME = re.compile(r"^#(\d+) +(?:0x[0-9a-f]+ in )?(\S*) \(", re.M)
MARKS = ["filtered", "unfiltered", "past-main-on"]


def backtraces(out):
    """{mark: [(frame number, function)]} of the three backtraces the test prints."""
    parts = {}
    for mark, text in zip(MARKS, out.split("kut-test-bt\n")[1:]):
        parts[mark] = [(int(number), name) for number, name in FRAME.findall(text)]
    return parts


@pytest.mark.parametrize("config", ["arm64", "riscv64", "x86_64", "s390x"])
def test_backtrace_at_main_ends_at_main(config):
    out, elf = run(config, ["kut-load", "break main", "continue",
                            "echo kut-test-bt\\n", "bt",
                            "echo kut-test-bt\\n", "bt -no-filters",
                            "echo kut-test-bt\\n", "set backtrace past-main on", "bt"])
    assert_stopped_in_main(out, elf)
    parts = backtraces(out)
    assert parts["filtered"] == [(0, "main")], out
    unfiltered = parts["unfiltered"]
    assert unfiltered[0] == (0, "main") and len(unfiltered) > 1, out
    # The same frames; gdb names a frame without debug information by its nearest symbol
    # where a filter prints it, and `??` where not: compare what both name alike.
    past_main = parts["past-main-on"]
    assert len(past_main) == len(unfiltered) and past_main[:2] == unfiltered[:2], out
