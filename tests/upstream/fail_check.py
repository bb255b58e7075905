"""Whether a `kut-debug --fail` stop is at the check that failed: the
frame gdb selected must be a report() call in the test's source whose
message is the log's first FAIL line. Read from the log and the source
files themselves, not from what kut-load says about them."""

import os
import re

FAIL_LINE = re.compile(r"^(?:FAIL|XPASS): (.*)$", re.M)
# gdb's frame line: "#2  0x... in func (...) at file:line", or "#0  func (...) at file:line".
FRAME = re.compile(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\) at (\S+):(\d+)$", re.M)
REPORT_CALL = re.compile(r"\breport(?:_xfail|_kfail|_pass|_fail)?\s*\(")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
CONVERSION = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t|L)?[diouxXcspfeEgG%]")
CONTEXT_LINES = 6


class Verdict:
    def __init__(self, outcome, where="", detail=""):
        self.outcome, self.where, self.detail = outcome, where, detail


def first_fail_message(log_path):
    with open(log_path, errors="replace") as log:
        found = FAIL_LINE.search(log.read().replace("\r", ""))
    return found.group(1) if found else None


def has_fail_line(log_path):
    return first_fail_message(log_path) is not None


def _call_at(source_lines, line):
    """The argument text of each report*() call that spans 1-based `line`."""
    start = max(0, line - 1 - CONTEXT_LINES)
    text = "\n".join(source_lines[start:line + CONTEXT_LINES])
    calls = []
    for call in REPORT_CALL.finditer(text):
        depth, index = 1, call.end()
        while index < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[index], 0)
            index += 1
        first = start + 1 + text.count("\n", 0, call.start())
        last = start + 1 + text.count("\n", 0, index)
        if first <= line <= last:
            calls.append(text[call.end():index - 1])
    return calls


def message_pattern(arguments):
    """A regular expression for the messages a call's format string prints;
    conversions and non-literal parts (PRIx64, a variable) match anything."""
    literals = list(STRING.finditer(arguments))
    if not literals:
        return None
    pieces, last = [], literals[0].start()
    for literal in literals:
        between = arguments[last:literal.start()]
        if "," in between:  # the format string ended; the rest are its arguments
            break
        if between.strip():
            pieces.append(".*")
        text = literal.group(1).encode().decode("unicode_escape")
        done = 0
        for conversion in CONVERSION.finditer(text):
            pieces.append(re.escape(text[done:conversion.start()]))
            pieces.append("%" if conversion.group() == "%%" else ".*")
            done = conversion.end()
        pieces.append(re.escape(text[done:]))
        last = literal.end()
    return "".join(pieces)


CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def _body_calls(source_text, function):
    """The argument texts of the report*() calls in the body of `function`, a
    function or macro defined in source_text; [] when it is not defined there."""
    macro = re.search(r"^#\s*define\s+%s\(.*?[^\\]$" % re.escape(function), source_text,
                      re.M | re.S)
    if macro:
        lines = macro.group().splitlines()
        return [call for number in range(1, len(lines) + 1) for call in _call_at(lines, number)]
    definition = re.search(r"^[\w \t*]*\b%s\s*\([^;{]*\)\s*\{" % re.escape(function),
                           source_text, re.M)
    if not definition:
        return []
    depth, index = 1, definition.end()
    while index < len(source_text) and depth:
        depth += {"{": 1, "}": -1}.get(source_text[index], 0)
        index += 1
    lines = source_text[definition.end():index].splitlines()
    return [call for number in range(1, len(lines) + 1) for call in _call_at(lines, number)]


def _tail_called_checks(source_lines, line):
    """report*() calls in the test's macros and functions called at `line`:
    a macro's check, or one the compiler made a tail call, has no frame of its
    own, so the line that calls it is the stop."""
    text = "\n".join(source_lines)
    calls = []
    for called in CALL.findall(source_lines[line - 1]):
        calls += _body_calls(text, called)
    return calls


def check_stop(output, tree, log_path):
    """Verdict of a kut-debug --fail run's output, for the test of log_path in tree."""
    message = first_fail_message(log_path)
    frames = FRAME.findall(output)
    if not frames:
        return Verdict("--fail: no frame", detail=output[-400:])
    function, file, line = frames[-1]
    where = "%s:%s" % (file, line)
    path = file if os.path.isabs(file) else os.path.join(tree, file)
    try:
        with open(path, errors="replace") as source:
            source_lines = source.read().splitlines()
    except OSError:
        return Verdict("--fail: no source", where, path)
    for calls, outcome in ((_call_at(source_lines, int(line)), "stopped at FAIL"),
                           (_tail_called_checks(source_lines, int(line)),
                            "stopped at FAIL, in a macro or tail call")):
        for arguments in calls:
            pattern = message_pattern(arguments)
            if pattern is None or re.search(pattern + "$", message):
                return Verdict(outcome, where)
        if calls:
            return Verdict("--fail: other message", where,
                           "log: %s; call: %s" % (message, calls))
    return Verdict("--fail: not a report()", where, output[-400:])
