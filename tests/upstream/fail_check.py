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
        if arguments[last:literal.start()].strip():
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
    calls = _call_at(source_lines, int(line))
    if not calls:
        return Verdict("--fail: not a report()", where, output[-400:])
    for arguments in calls:
        pattern = message_pattern(arguments)
        if pattern is None or re.search(pattern + "$", message):
            return Verdict("stopped at FAIL", where)
    return Verdict("--fail: other message", where, "log: %s; call: %s" % (message, calls))
