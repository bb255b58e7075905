"""kut-load's options, declared once (KUT_LOAD): its parser, its TAB
completion and the "Options:" part of its help are made from the table.
A small hand-written parser (command_line.py), since argparse alone costs
more to set up than the rest of a kut-load."""

from kut_load import command_line
from kut_load.command_line import ADDRESS, CommandLine, Operand, Option
from kut_load.command_line import UsageError  # noqa: F401 (kut-load's refusals import it here)

# What kut-load loads: a test's ELF, or an EFI test's X.efi or X.efi.debug
# (planner.py); never the .flat that QEMU boots: its symbols are in the .elf.
TEST_FILE = Operand("ELF", "elf", "ELF file", (".elf", ".efi", ".efi.debug"))

KUT_LOAD = CommandLine("kut-load", [
    Option(("--address",), "Where the image starts in the guest; skips detection.",
           "ADDR", ADDRESS),
    Option(("--dry-run",), "Print the commands a load would run; change nothing."),
    Option(("--force",), "Load even if target memory does not match the ELF."),
    Option(("-v", "--verbose"), "Show what was read, how it was decoded, the sections and "
                                "the checks."),
    Option(("--version",), "Print kut-load's version."),
    Option(("-h", "--help"), "Show this help."),
], TEST_FILE)


def parse(argv):
    """kut-load's options from argv (split by gdb.string_to_argv): .elf,
    .address and one attribute per flag (.dry_run, .force, .verbose,
    .version, .help); UsageError naming the first thing that is wrong."""
    return command_line.parse(KUT_LOAD, argv)
