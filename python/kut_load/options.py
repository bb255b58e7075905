"""Parses kut-load's arguments the way gdb users expect: gdb's own word
splitting, --help, and a one-sentence error instead of argparse's exit."""

import argparse

class UsageError(Exception):
    """The command line does not parse."""

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError("%s; see 'help %s'" % (message, self.prog))

    def exit(self, status=0, message=None):
        raise UsageError(message or "bad arguments")

def _address(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not an address (try 0x40080000)" % text)
    if value < 0:
        raise argparse.ArgumentTypeError("%r is negative" % text)
    return value

def make_parser():
    parser = _Parser(prog="kut-load", add_help=False, allow_abbrev=False)
    parser.add_argument("elf", nargs="?", help="the test's ELF file")
    parser.add_argument("--address", type=_address,
                        help="where the image starts in the guest; skips detection")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the add-symbol-file command and change nothing")
    parser.add_argument("--force", action="store_true",
                        help="load even if target memory does not match the ELF")
    parser.add_argument("-v", "--verbose", action="store_true", help="show each step")
    parser.add_argument("--version", action="store_true", help="print the version")
    parser.add_argument("-h", "--help", action="store_true", help="show help")
    return parser

def parse(argv):
    options = make_parser().parse_args(argv)
    return options
