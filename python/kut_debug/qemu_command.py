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
arm/efi/run makes to write the device tree and that exits at once.
"""

import os
import re
import shlex

from kut_load import qemu_options
from .errors import DebugError

QEMU_PROGRAM = re.compile(r"qemu-system-[A-Za-z0-9_.+-]+|qemu-kvm")


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


def from_qemu_program(words):
    """The words from the QEMU program on, without what ran it (`timeout -k 1s
    --foreground 90s`, `run_migration`, ...); None if there is no QEMU program."""
    for index, word in enumerate(words):
        if is_qemu_program(word):
            return list(words[index:])
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


def is_test_run(argv):
    """False for the probe and device-tree runs that come before the test's."""
    return not any(PROBE_FILE in word or DUMPDTB in word for word in argv)


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
    try:
        with open(log_path, errors="replace") as log:
            return log.read().splitlines()
    except FileNotFoundError:
        raise DebugError("%s: no such log file" % log_path) from None
    except OSError as error:
        raise DebugError("%s: %s" % (log_path, error.strerror)) from None


def read_log_command(log_path):
    """(line, argv): the QEMU command that ran the test, from the log at log_path."""
    found = test_command_line(read_log_lines(log_path))
    if found is None:
        raise DebugError("%s holds no QEMU command that runs a test "
                         "(no line with a qemu-system-* program)" % log_path)
    return found


def command_from_words(words):
    """The QEMU argv given after `--`, without a `timeout ...` in front."""
    argv = from_qemu_program(words)
    if argv is None:
        raise DebugError("the command after -- has no qemu-system-* program in it")
    return argv
