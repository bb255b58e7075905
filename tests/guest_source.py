"""What the sample guest's source says, read independently of kut-load:
the expected stop lines and global values the tests compare against."""

import os
import re

MAIN_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guests", "common", "main.c")


def marker_line(marker, path=MAIN_C):
    """The 1-based line holding the comment /* kut-test: MARKER */."""
    with open(path) as source:
        for number, line in enumerate(source, 1):
            if "/* kut-test: %s */" % marker in line:
                return number
    raise AssertionError("no marker %r in %s" % (marker, path))


def initial_value(variable, path=MAIN_C):
    """The integer a global is initialised with in the source."""
    with open(path) as source:
        match = re.search(r"\b%s\s*=\s*(0x[0-9a-fA-F]+|\d+)" % re.escape(variable), source.read())
    assert match, "no initialiser for %s in %s" % (variable, path)
    return int(match.group(1), 0)
