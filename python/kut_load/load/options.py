"""kut-load's command line: its options are declared once, in
command_tables.KUT_LOAD; a small hand-written parser (command_line.py),
since argparse alone costs more to set up than the rest of a kut-load."""

from kut_load import command_line
from kut_load.command_line import UsageError  # noqa: F401 (kut-load's refusals import it here)
from kut_load.command_tables import KUT_LOAD


def parse(argv):
    """kut-load's options from argv (split by gdb.string_to_argv): .elf,
    .address and one attribute per flag (.dry_run, .force, .verbose,
    .version, .help); UsageError naming the first thing that is wrong."""
    return command_line.parse(KUT_LOAD, argv)
