"""gdb's user-defined commands and hooks (define hook-X, hookpost-X), as
kut-load defines its own: only where the user has none of that name, on
every gdb from 10 on."""

import os
import tempfile

import gdb


def user_listing():
    """`show user`: every user command's definition. Asking for one gdb has
    not costs an error."""
    return gdb.execute("show user", to_string=True)


def user_definition(name, listing=None):
    """The definition user_listing() (or listing) gives for the user command
    name, or None."""
    listing = user_listing() if listing is None else listing
    head = 'User command "%s":\n' % name
    start = listing.find(head)
    if start < 0:
        return None
    end = listing.find('\nUser command "', start + len(head))
    return listing[start:] if end < 0 else listing[start:end]


def define_from_file(path):
    """Runs the gdb commands of the file at path, define ... end blocks among
    them: as one gdb.execute() where gdb runs a multi-line one whole (gdb 13
    and later, seen; 0.1 ms), else by sourcing the file (1 ms)."""
    if int(gdb.VERSION.split(".")[0]) >= 13:
        with open(path) as script:
            gdb.execute(script.read(), to_string=True)
    else:
        gdb.execute("source " + path, to_string=True)


def define(script):
    """define_from_file() for the commands of the text script."""
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as written:
        written.write(script)
    try:
        define_from_file(written.name)
    finally:
        os.unlink(written.name)
