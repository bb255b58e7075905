"""The QEMU command of a kvm-unit-tests run, read from its log.

./run_tests.sh -v writes logs/TEST.log; scripts/arch-run.bash's run_qemu
echoes each QEMU command it runs as a line, for example
  timeout -k 1s --foreground 90s /usr/bin/qemu-system-aarch64 -nodefaults
  -machine virt ... -kernel arm/gic.flat -smp 1 -append mmio # -initrd /tmp/tmp.X
(one line). echo drops the quotes the command had, and the `# -initrd` tail
is a comment naming a temporary environment file that is gone after the run.
Some logs start with QEMU runs that are not the test: x86's EFI logs with
run_tests.sh's probe of a file called _NO_FILE_4Uhere_ (scripts/runtime.bash,
premature_failure), arm's EFI logs with the `-machine dumpdtb=FILE` run that
arm/efi/run makes to write the device tree and that exits at once; the EFI
run scripts run that probe from a FAT directory called dummy. Debian's QEMU
also writes lines of its own (`qemu: module ui-ui-gtk not found, do you want
to install qemu-system-gui package?`) above the command, and firmware writes
terminal control codes: a command line is a QEMU program and its options,
with nothing in front but a launcher such as timeout.
"""

import os
import re
import shlex

from kut_load.efi import boot_disk
from kut_load.qemu import options as qemu_options
from kut_load.break_fail.log import without_terminal_codes
from kut_debug.errors import DebugError

QEMU_PROGRAM = re.compile(r"qemu-system-[A-Za-z0-9_.+-]+|qemu-kvm")
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")

# Commands that run the command after their own options and operands, as
# run_qemu's `timeout -k 1s --foreground 90s` and arch-run.bash's run_migration
# and run_panic do: name -> (options that take a value, operands before the command).
LAUNCHERS = {
    "timeout": (frozenset(["-k", "--kill-after", "-s", "--signal"]), 1),
    "env": (frozenset(["-u", "--unset", "-C", "--chdir"]), 0),
    "nice": (frozenset(["-n", "--adjustment"]), 0),
    "run_migration": (frozenset(), 0),
    "run_panic": (frozenset(), 0),
}


def is_qemu_program(word):
    return QEMU_PROGRAM.fullmatch(os.path.basename(word)) is not None


def without_comment(line):
    """line up to a shell comment: a '#' that starts a word, outside quotes.
    shlex's own comment handling would also cut at a '#' inside a word."""
    quote = None
    escaped = False
    word_start = True
    for index, char in enumerate(line):
        separator = False
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and word_start:
            return line[:index]
        else:
            separator = char.isspace()
        word_start = separator
    return line


def after_launcher(words, index):
    """The index of the command that the launcher at words[index] runs."""
    with_value, operands = LAUNCHERS[os.path.basename(words[index])]
    index += 1
    while index < len(words) and words[index].startswith("-") and len(words[index]) > 1:
        option = words[index]
        index += 1
        if option == "--":
            break
        if option in with_value:
            index += 1
    return index + operands


def from_qemu_program(words):
    """The words from the QEMU program on, without what ran it (`timeout -k 1s
    --foreground 90s`, `run_migration`, VAR=value, ...); None unless the words
    are a QEMU program and its options with only launchers in front."""
    index = 0
    while index < len(words):
        word = words[index]
        if ASSIGNMENT.match(word):
            index += 1
        elif os.path.basename(word) in LAUNCHERS:
            index = after_launcher(words, index)
        elif is_qemu_program(word) and (index + 1 == len(words)
                                        or words[index + 1].startswith("-")):
            return list(words[index:])
        else:
            return None
    return None


def rejoin_append(argv):
    """-append's value as one word again: with its quotes lost, `-append foo bar`
    is two words and QEMU would open `bar` as a disk image. The value runs up
    to the next word that is a QEMU option, so `-append -vmx_test -ept*` works."""
    result = argv[:1]
    index = 1
    while index < len(argv):
        word = argv[index]
        result.append(word)
        index += 1
        if not word.startswith("-") or not qemu_options.takes_value(word) or index == len(argv):
            continue
        value = [argv[index]]
        index += 1
        if qemu_options.option_name(word) == "-append":
            while index < len(argv) and not qemu_options.is_option(argv[index]):
                value.append(argv[index])
                index += 1
        result.append(" ".join(value))
    return result


def command_from_log_line(line):
    """The QEMU argv in a log's first line, or None if it holds no QEMU command."""
    try:
        words = shlex.split(without_comment(line.strip()))
    except ValueError:  # an unbalanced quote: not a command line
        return None
    argv = from_qemu_program(words)
    return rejoin_append(argv) if argv else None


PROBE_FILE = "_NO_FILE_4Uhere_"
DUMPDTB = "dumpdtb="
# x86/efi/run, arm/efi/run and riscv/efi/run run the probe from EFI_TEST/dummy.
EFI_PROBE_DIRECTORY = "dummy"


def is_test_run(argv):
    """False for the probe and device-tree runs that come before the test's."""
    if any(PROBE_FILE in word or DUMPDTB in word for word in argv):
        return False
    return not any(os.path.basename(directory.rstrip("/")) == EFI_PROBE_DIRECTORY
                   for directory in boot_disk.vvfat_directories(argv))


def test_command_line(lines):
    """(line, argv) of the first QEMU command in lines that runs the test, or None."""
    for line in lines:
        argv = command_from_log_line(line)
        if argv and is_test_run(argv):
            return line, argv
    return None


def is_migration_line(line):
    """Whether a log line starts a migration: run_tests.sh runs a migration
    test's command through run_migration (scripts/arch-run.bash), which starts
    the second QEMU with -incoming."""
    try:
        words = shlex.split(without_comment(line.strip()))
    except ValueError:
        return False
    argv = from_qemu_program(words)
    if argv is None:
        return False
    return "run_migration" in words[:len(words) - len(argv)] or "-incoming" in argv


def read_log_lines(log_path):
    """The log's lines without the terminal control codes firmware writes."""
    try:
        with open(log_path, errors="replace") as log:
            return without_terminal_codes(log.read()).splitlines()
    except FileNotFoundError:
        raise DebugError("%s: no such log file" % log_path) from None
    except OSError as error:
        raise DebugError("%s: %s" % (log_path, error.strerror)) from None


CONSOLE_SUFFIX = ".console"


def read_log_command(log_path):
    """(line, argv): the QEMU command that ran the test, from the log at log_path."""
    if log_path.endswith(CONSOLE_SUFFIX):
        # The console echoes the run script's QEMU command, but holds no -initrd environment.
        raise DebugError("%s is the console file of a kut-debug session, not a test's log: "
                         "give %s.log, which run_tests.sh writes, or the test name"
                         % (log_path, log_path[:-len(CONSOLE_SUFFIX)]))
    lines = read_log_lines(log_path)
    found = test_command_line(lines)
    if found is None:
        name = run_tests_output_of(lines)
        if name:
            raise DebugError("%s is what run_tests.sh printed, not a test's log: give "
                             "logs/%s.log, which run_tests.sh -v writes, or the test name %s"
                             % (log_path, name, name))
        raise LogWithoutTestRun(log_path, lines)
    return found


class LogWithoutTestRun(DebugError):
    """A log with no QEMU command that runs its test: QEMU ended in the run
    script's probe, or the file is no test's log. lines: the log's lines."""

    def __init__(self, log_path, lines):
        super().__init__("%s holds no QEMU command that runs a test%s" % (
            log_path, " (no line with a qemu-system-* program)"
            if logged_accelerator(lines) is None else ""))
        self.lines = lines


def logged_accelerator(lines):
    """The accelerator of the first QEMU command in a log's lines, the run
    script's probe included (it runs with the test's ACCEL), or None."""
    for line in lines:
        argv = command_from_log_line(line)
        if argv:
            return accelerator(argv)
    return None


# What run_tests.sh itself prints: with -v the command it evals
# (scripts/runtime.bash get_cmdline), then print_result's summary line.
RUN_TESTS_COMMAND = re.compile(r"^(?:[A-Za-z_]\w*=\S* )*TESTNAME=(\S+) ")
RUN_TESTS_RESULT = re.compile(r"^(?:PASS|FAIL|SKIP) (\S+) \(")


def run_tests_output_of(lines):
    """The test whose run_tests.sh output lines are, or None."""
    for line in lines:
        match = RUN_TESTS_COMMAND.match(line) or RUN_TESTS_RESULT.match(line)
        if match:
            return match.group(1)
    return None


def accelerator(argv):
    """(ACCEL, words) of the accelerator a QEMU command runs under, as the run
    scripts pass $ACCEL$ACCEL_PROPS: `-accel tcg,thread=single` (arm, riscv,
    powerpc), `-machine accel=tcg,thread=single` (x86, and s390x at the end of
    its -machine value); None if it names none. words: the option as given."""
    for item in qemu_options.items(argv[1:]):
        if item.name == "-enable-kvm":
            return "kvm", item.name
        if item.name == "-accel" and item.value:
            return item.value, "%s %s" % (item.name, item.value)
        if item.name in ("-machine", "-M") and item.value:
            parts = item.value.split(",")
            for index, part in enumerate(parts):
                if part.startswith("accel="):
                    # The run scripts put ACCEL_PROPS right after accel=NAME.
                    value = ",".join([part[len("accel="):]] + parts[index + 1:])
                    return value, "%s %s" % (item.name, item.value)
    return None


def command_from_words(words):
    """The QEMU argv given after `--`, without a `timeout ...` in front."""
    argv = from_qemu_program(words)
    if argv is None:
        raise DebugError("the command after -- has no qemu-system-* program with only "
                         "timeout, env or NAME=VALUE in front of it; give QEMU's command line")
    return argv
