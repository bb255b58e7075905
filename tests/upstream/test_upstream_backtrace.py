"""bt at main ends at main, as gdb's own `backtrace past-main off` ends it for
a program it knows, though kut-load loads the test with add-symbol-file. The
frames past main are gdb's own unfiltered unwinding (`bt -no-filters`), which
must still list them: the filter, not the unwinder, ends the backtrace."""

import configparser
import os
import re
import subprocess

import pytest

import run_logs
import trees
import upstream
from dwarf_oracle import symbol_value
from run_cases import assert_stopped_in_main, run
from session import gdb_major
from upstream import KUT_DEBUG

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


# (config, unittests.cfg test, handler the test installs, its regs' saved pc)
HANDLERS = [
    ("arm64", "selftest-vectors-kernel", "unknown_handler", "regs->pc"),
    ("arm", "selftest-vectors-kernel", "und_handler", "regs->uregs[15]"),
    ("riscv64", "selftest", "handler", "regs->epc"),
    ("x86_64", "emulator", "unaligned_movaps_handler", "regs->rip"),
    ("i386", "emulator", "unaligned_movaps_handler", "regs->rip"),
]
MARK = "kut-test-mark"
FRAME_LINE = re.compile(r"^#(\d+) +(?:0x([0-9a-f]+) in )?(\S+) \(.*\) at (\S+):(\d+)$", re.M)


@pytest.mark.parametrize("config, test, handler, saved_pc", HANDLERS,
                         ids=[case[0] for case in HANDLERS])
def test_backtrace_from_an_exception_handler_reaches_the_test_and_main(config, test, handler,
                                                                       saved_pc):
    """From the test's handler, bt goes through the exception entry into the
    frame the exception interrupted, at the pc the entry saved (read from the
    guest), at that pc's own function and line (binutils' addr2line), and on
    to main."""
    if gdb_major() < 11:
        pytest.skip("gdb %d's Python unwinders cannot tell the innermost frame (PendingFrame."
                    "level, gdb 11), so kut-load unwinds no exception entry there" % gdb_major())
    tree = upstream.tree(config)
    env = dict(run_logs.environment(config, "tcg"))
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "--break", handler, "--ex", "bt",
                           "--ex", "echo %s\\n" % MARK, "--ex", "p/x " + saved_pc,
                           "--ex", "p/x &main", test],
                          cwd=tree, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    backtrace, _, printed = done.stdout.partition(MARK + "\n")
    pc, main = [int(value, 16) for value in re.findall(r"^\$\d = (0x[0-9a-f]+)", printed, re.M)]
    frames = FRAME_LINE.findall(backtrace)
    assert frames and frames[0][2] == handler, out
    assert frames[-1][2] == "main", out
    interrupted = [frame for frame in frames if frame[1] and int(frame[1], 16) == pc]
    assert len(interrupted) == 1, (hex(pc), out)
    # The ELF's own address of pc: arm64's and riscv64's images are relocated where they run.
    elf = os.path.join(tree, elf_of(tree, test))
    function, path, line = addr2line(elf, pc - (main - symbol_value(elf, "main")))
    # addr2line names the file with the compilation directory, gdb as the DWARF's name has it.
    shown_function, shown_path, shown_line = interrupted[0][2:]
    assert (shown_function, shown_line) == (function, line), (function, path, line, out)
    assert os.path.normpath(os.path.join(tree, shown_path)) == os.path.normpath(path), out


def elf_of(tree, test):
    """TEST_DIR/FILE.elf of a test in the tree's unittests.cfg."""
    test_dir = trees.test_dir(tree)
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    cfg.read(os.path.join(tree, test_dir, "unittests.cfg"))
    return os.path.join(test_dir, os.path.splitext(cfg[test]["file"])[0] + ".elf")


def addr2line(elf, pc):
    """(innermost function, file as the DWARF names it, line) of pc itself."""
    lines = subprocess.run(["addr2line", "-f", "-i", "-e", elf, "%#x" % pc], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    place, _, line = lines[1].rpartition(":")
    return lines[0], place, line.split()[0]
