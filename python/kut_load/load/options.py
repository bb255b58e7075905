"""Parses kut-load's arguments (already split by gdb.string_to_argv): a
small hand-written parser, since argparse alone costs more to set up than
the rest of a kut-load."""

from kut_load.errors import KutLoadError


class UsageError(KutLoadError):
    """The command line does not parse."""


class Options:
    def __init__(self):
        self.elf = None
        self.address = None
        self.dry_run = False
        self.force = False
        self.verbose = False
        self.version = False
        self.help = False


_FLAGS = {"--dry-run": "dry_run", "--force": "force", "-v": "verbose",
          "--verbose": "verbose", "--version": "version", "-h": "help", "--help": "help"}


def _fail(message):
    raise UsageError("%s; see 'help kut-load'" % message)


def parse_address(text):
    try:
        value = int(text, 0)
    except ValueError:
        _fail("%r is not an address (try 0x40080000)" % text)
    if value < 0:
        _fail("%r is negative" % text)
    return value


def near_option(word):
    """" (did you mean --address?)" for a misspelt or cut option, or nothing."""
    import difflib
    name = word.split("=", 1)[0]
    names = sorted(_FLAGS) + ["--address"]
    near = [option for option in names if option.startswith(name) and len(name) > 2]
    near = near if len(near) == 1 else difflib.get_close_matches(name, names, n=1, cutoff=0.7)
    return " (did you mean %s?)" % near[0] if near else ""


def parse(argv):
    """Options from argv; UsageError naming the first thing that is wrong."""
    options = Options()
    words = list(argv)
    only_files = False
    while words:
        word = words.pop(0)
        if only_files or not word.startswith("-") or word == "-":
            if options.elf is not None:
                _fail("unexpected argument %r: give one ELF file, in quotes if its path "
                      "has spaces" % word)
            options.elf = word
        elif word == "--":
            only_files = True
        elif word in _FLAGS:
            setattr(options, _FLAGS[word], True)
        elif word == "--address" or word.startswith("--address="):
            if word == "--address":
                if not words:
                    _fail("--address needs an address")
                value = words.pop(0)
            else:
                value = word[len("--address="):]
            options.address = parse_address(value)
        else:
            _fail("unknown option %r%s" % (word, near_option(word)))
    return options
