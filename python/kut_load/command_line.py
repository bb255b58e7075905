"""Command lines declared once: the table of a command's options
(command_tables.KUT_LOAD, command_tables.KUT_BREAK_FAIL) gives its parser
(parse), its TAB completion (completion.py) and the "Options:" part of its
help (documented). Imported at every gdb start for the help, so it imports
only what gdb's Python has loaded already."""

import textwrap
import types

from kut_load.errors import KutLoadError

HELP_WIDTH = 76


class UsageError(KutLoadError):
    """The command line does not parse."""


class ValueKind:
    """What an option's value is: how it is read (read raises ValueError with
    the reason), the noun for a missing one, and whether it names a file."""

    def __init__(self, noun, read=str, names_a_file=False):
        self.noun = noun
        self.read = read
        self.names_a_file = names_a_file


class GdbExpression(str):
    """An option's value for gdb to evaluate where it is used ($kut_base, &_text)."""


def read_address(text):
    """An address written as Python writes integers (0x40080000, 1074266112),
    or else a GdbExpression of the text, which the command evaluates in gdb."""
    try:
        value = int(text, 0)
    except ValueError:
        return GdbExpression(text)
    if value < 0:
        raise ValueError("%r is negative" % text)
    return value


TEXT = ValueKind("a value")
FILE = ValueKind("a file", names_a_file=True)
ADDRESS = ValueKind("an address", read_address)


class Option:
    """One option: its names (the long one last), one line of help, and for
    an option with a value its metavar and ValueKind; without, a flag."""

    def __init__(self, names, help, metavar=None, kind=TEXT):
        self.names = names
        self.long_name = names[-1]
        self.attribute = self.long_name[2:].replace("-", "_")
        self.help = help
        self.metavar = metavar
        self.kind = kind if metavar else None

    @property
    def takes_value(self):
        return self.metavar is not None

    def label(self):
        """'-v, --verbose' or '--address ADDR', as the help lists it."""
        return ", ".join(self.names) + (" " + self.metavar if self.metavar else "")


class Operand:
    """The one word a command takes that is not an option: its metavar, the
    attribute it is parsed into, its noun, and the file name endings it takes."""

    def __init__(self, metavar, attribute, noun, suffixes):
        self.metavar = metavar
        self.attribute = attribute
        self.noun = noun
        self.suffixes = suffixes


class CommandLine:
    """A gdb command's name, options and operand (None: it takes none)."""

    def __init__(self, command, options, operand=None):
        self.command = command
        self.options = options
        self.operand = operand

    def option_named(self, word):
        """The option one of whose names is word, or None."""
        return next((option for option in self.options if word in option.names), None)

    def option_for(self, attribute):
        """The option parsed into attribute; KeyError where there is none."""
        found = next((option for option in self.options if option.attribute == attribute), None)
        if found is None:
            raise KeyError(attribute)
        return found

    def long_names(self):
        return [option.long_name for option in self.options]

    def all_names(self):
        return [name for option in self.options for name in option.names]


def parse(line, argv):
    """The options of argv for CommandLine line: a namespace with each
    option's attribute (False or None when absent, True or the value read
    when given) and the operand's (None when absent). UsageError naming the
    first word that is wrong, and where the help is."""
    parsed = types.SimpleNamespace(**{option.attribute: False if not option.takes_value
                                      else None for option in line.options})
    if line.operand is not None:
        setattr(parsed, line.operand.attribute, None)
    words = list(argv)
    only_operands = False
    while words:
        word = words.pop(0)
        if only_operands or not word.startswith("-") or word == "-":
            take_operand(line, parsed, word)
        elif word == "--":
            only_operands = True
        else:
            option, value = split_option(line, word)
            if not option.takes_value:
                setattr(parsed, option.attribute, True)
                continue
            if value is None:
                if not words:
                    fail(line, "%s needs %s" % (word, option.kind.noun))
                value = words.pop(0)
            setattr(parsed, option.attribute, read_value(line, option, value))
    return parsed


def written(line, operand=None, **values):
    """The command line that parse() reads back as values (attribute: True
    for a flag, else the text) and operand, each value one quoted word.
    UnsafeName for a value with a control character."""
    from kut_load.quoting import quote_argument
    words = [line.command]
    for attribute, value in values.items():
        option = line.option_for(attribute)
        words.append(option.long_name)
        if option.takes_value:
            words.append(quote_argument(value, option.metavar))
    if operand is not None:
        # An operand that starts with a dash is no option: after "--".
        words += ["--"] if operand.startswith("-") else []
        words.append(quote_argument(operand, line.operand.noun))
    return " ".join(words)


def take_operand(line, parsed, word):
    operand = line.operand
    if operand is None:
        fail(line, "unexpected argument %r" % word)
    if getattr(parsed, operand.attribute) is not None:
        fail(line, "unexpected argument %r: give one %s, in quotes if its path has spaces"
             % (word, operand.noun))
    setattr(parsed, operand.attribute, word)


def split_option(line, word):
    """(option, value written after '=' or None) for an option word; UsageError if none."""
    option = line.option_named(word)
    if option is not None:
        return option, None
    name, equals, value = word.partition("=")
    option = line.option_named(name)
    if equals and option is not None and option.takes_value:
        return option, value
    fail(line, "unknown option %r%s" % (word, near_option(word, line.all_names())))


def read_value(line, option, text):
    try:
        return option.kind.read(text)
    except ValueError as error:
        fail(line, str(error))


def near_option(word, names):
    """" (did you mean --address?)" for a misspelt or cut option word, one of
    names being near it, or nothing; kut-debug's parser asks it too."""
    import difflib  # only for a refusal
    name = word.split("=", 1)[0]
    near = [option for option in names if option.startswith(name) and len(name) > 2]
    near = near if len(near) == 1 else difflib.get_close_matches(name, names, n=1, cutoff=0.7)
    return " (did you mean %s?)" % near[0] if near else ""


def fail(line, message):
    raise UsageError("%s; see 'help %s'" % (message, line.command))


def options_help(line):
    """The "Options:" part of the command's help: one row per option, its
    help wrapped beside the widest label."""
    column = 2 + max(len(option.label()) for option in line.options) + 2
    rows = ["Options:"]
    for option in line.options:
        wrapped = textwrap.wrap(option.help, HELP_WIDTH - column)
        rows.append(("  " + option.label()).ljust(column) + wrapped[0])
        rows += [" " * column + more for more in wrapped[1:]]
    return "\n".join(rows)


def documented(line, before, after=None):
    """A command's help: before, the Options part from line, then after."""
    return "\n\n".join(part for part in (before, options_help(line), after) if part)
