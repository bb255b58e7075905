"""kvm-unit-tests' library as kut-break-fail finds it in the loaded symbols:
lib/report.c's `failures` counter and the lines that raise it, and the
functions that end a test (report_abort, abort, the unhandled-exception
handlers)."""

import re

import gdb

from kut_load.break_fail.frames import LIBRARY_FILE
from kut_load.errors import KutLoadError
from kut_load.session import symbol_files
from kut_load.quoting import printable

COUNTER = "failures"
COUNTER_FILE = re.compile(r"(^|/)report\.c$")
INCREMENT = re.compile(r"\bfailures\s*(\+\+|\+=)|\+\+\s*failures\b")
# In stop order: the first that exists and is reached reports the test's end.
EXCEPTION_FUNCTIONS = ("bad_exception", "unhandled_exception", "show_regs")
ABORT_FUNCTIONS = ("report_abort", "abort")
# lib/report.c's last function: the counter read there is the test's own tally.
SUMMARY_FUNCTION = "report_summary"


class NoCounter(KutLoadError):
    """The loaded symbols have no `failures` counter of lib/report.c."""


class NoCounterLines(KutLoadError):
    """The lines of lib/report.c that raise `failures` cannot be had."""


def counter_expression(symtab, address):
    """How gdb names one copy of the counter: by its file, so that gdb moves
    the watchpoint when the symbols are loaded again (kut-load after
    kut-break-fail); by address where the file name cannot be quoted."""
    if symtab is not None and symtab.filename.isprintable() and "'" not in symtab.filename:
        return "'%s'::%s" % (symtab.filename, COUNTER)
    return "*(unsigned int *) %#x" % address


def failure_counters():
    """lib/report.c's `failures` (unsigned int) as (gdb expression, symtab)
    pairs: every static of that name in a file called report.c; without
    DWARF, the ELF symbol, with symtab None."""
    counters = {}
    for symbol in gdb.lookup_static_symbols(COUNTER):
        if symbol.symtab and COUNTER_FILE.search(symbol.symtab.filename):
            if symbol.type.sizeof != 4:
                raise NoCounter("%s in %s is %d bytes, not the unsigned int of "
                                "kvm-unit-tests' lib/report.c"
                                % (COUNTER, printable(symbol.symtab.filename),
                                   symbol.type.sizeof))
            address = int(symbol.value().address)
            counters[address] = (counter_expression(symbol.symtab, address), symbol.symtab)
    if not counters:
        try:  # a tree built without DWARF still has the symbol
            address = int(gdb.parse_and_eval("(unsigned long) &'%s'" % COUNTER))
            counters[address] = (counter_expression(None, address), None)
        except gdb.error:
            raise NoCounter(no_counter_message()) from None
    # Two copies of one ELF (loaded twice) name the same expression: watch it once.
    unique = {}
    for address in sorted(counters):
        unique.setdefault(counters[address][0], counters[address])
    return list(unique.values())


def no_counter_message():
    """Why there is no counter: no symbols loaded yet, or symbols of something
    that is not a kvm-unit-tests test."""
    files = [objfile.filename for objfile in symbol_files()]
    if not files:
        return ("no `failures` counter of lib/report.c: no symbols are loaded; "
                "load the test's ELF first (kut-load)")
    return ("no `failures` counter of kvm-unit-tests' lib/report.c, nor its abort() or "
            "exception handlers, in the loaded symbols (%s), so they are not a kvm-unit-tests "
            "test's; load the test's own ELF with kut-load"
            % ", ".join(printable(name) for name in files))


def is_library_function(name):
    """Whether name is a function of kvm-unit-tests' lib/ (by its DWARF file;
    without DWARF, by the ELF symbol alone)."""
    try:
        sals = gdb.decode_line(name)[1]
    except gdb.error:
        return False
    for sal in sals or ():
        if sal.symtab is None or LIBRARY_FILE.search(sal.symtab.filename):
            return True
    return False


def counters_or_none():
    """failure_counters(), or [] for a kvm-unit-tests test that never calls
    report() (common/sieve.c): its ELF has lib/abort.c's abort() or an
    exception handler but no lib/report.c; anything else is refused."""
    try:
        return failure_counters()
    except NoCounter:
        if any(is_library_function(name) for name in EXCEPTION_FUNCTIONS + ABORT_FUNCTIONS):
            return []
        raise


def increment_lines(symtab):
    """The lines of report.c that raise `failures` (kvm-unit-tests: `failures++;`)."""
    if symtab is None:
        raise NoCounterLines("breakpoints on the lines that count failures need "
                             "lib/report.c's DWARF, and this ELF has none")
    path = symtab.fullname()
    try:
        with open(path, errors="replace") as source:
            lines = [number for number, text in enumerate(source, 1) if INCREMENT.search(text)]
    except OSError as error:
        raise NoCounterLines("cannot read %s (%s); breakpoints on the lines that count "
                             "failures need the source"
                             % (printable(path), error.strerror)) from None
    if not lines:
        raise NoCounterLines("%s has no line that raises failures" % printable(path))
    return path, lines


def read_counter(expression):
    return int(gdb.parse_and_eval(expression))


def function_exists(name):
    """Whether gdb can break on name: a function, also one only ever inlined
    (kvm-unit-tests' static bad_exception and unhandled_exception at -O2)."""
    try:
        return bool(gdb.decode_line(name)[1])
    except gdb.error:
        return False
