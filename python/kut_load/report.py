"""What kut-load prints: the one-line summary, -v details, error sentences."""

import gdb

from kut_load.quoting import printable


def sentence(error):
    """An exception as one line that gdb can show as an error."""
    text = " ".join(str(error).split())
    return text or error.__class__.__name__


def loaded(plan, found, note=None):
    """The one line saying what was loaded, where, how that was found, and
    the note (a setting kut-load changed), if any."""
    gdb.write("kut-load: %s at %#x (offset %#x), %s%s\n"
              % (plan.elf_path, plan.load_address, plan.offset, found.how,
                 "; " + note if note else ""))


def listing(lines):
    if lines:
        gdb.write("kut-load: what was read from the target:\n")
    for line in lines:
        gdb.write("  %s\n" % line)


def sections(plan):
    gdb.write("kut-load: sections (link address -> guest address):\n")
    for section in plan.sections:
        gdb.write("  %-20s %#12x -> %#12x  %#8x bytes\n"
                  % (printable(section.name), section.link_address, section.address,
                     section.size))


def line(text):
    gdb.write("kut-load: %s\n" % text)


def warning(text):
    gdb.write("kut-load: warning: %s\n" % text, gdb.STDERR)
