"""Whether a `kut-debug --fail` stop is at the check that failed: the
frame gdb selected must be a report() call in the test's source whose
message is the log's first FAIL line. Read from the log and the source
files themselves, not from what kut-load says about them."""

import os
import re

import trees

FAIL_LINE = re.compile(r"^(?:FAIL|XPASS): (.*)$", re.M)
# gdb's frame line: "#2  0x... in func (...) at file:line", or "#0  func (...) at file:line".
FRAME = re.compile(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\) at (\S+):(\d+)$", re.M)
REPORT_CALL = re.compile(r"\breport(?:_xfail|_kfail|_pass|_fail)?\s*\(")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
CONVERSION = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
                        r"(?:hh|h|ll|l|z|j|t|L)?[diouxXcspfeEgG%]")
CONTEXT_LINES = 6
# kut-break-fail's end of a run whose own failure count was 0.
NOTHING_FAILED = re.compile(r"^kut-break-fail: .*: nothing failed \(", re.M)


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
# How deep macros and helpers may nest between the stop's line and report().
NESTING = 3


def _definition(source_text, name):
    """The lines of the macro or function `name` defined in source_text, or None."""
    macro = re.search(r"^#\s*define\s+%s\(.*?[^\\]$" % re.escape(name), source_text,
                      re.M | re.S)
    if macro:
        return macro.group().splitlines()
    function = re.search(r"^[\w \t*]*\b%s\s*\([^;{]*\)\s*\{" % re.escape(name),
                         source_text, re.M)
    if not function:
        return None
    depth, index = 1, function.end()
    while index < len(source_text) and depth:
        depth += {"{": 1, "}": -1}.get(source_text[index], 0)
        index += 1
    return source_text[function.start():index].splitlines()


def _nested_checks(sources, names, depth=NESTING, seen=None):
    """The report*() calls inside the macros and functions `names`, found in
    sources (texts: the test's file, then the library's), and inside what
    they call, down to `depth` levels."""
    seen = set() if seen is None else seen
    calls = []
    for name in names:
        if name in seen or depth == 0:
            continue
        seen.add(name)
        lines = next((found for found in (_definition(text, name) for text in sources)
                      if found), None)
        if lines is None:
            continue
        body = "\n".join(lines)
        calls += [call for number in range(1, len(lines) + 1) for call in _call_at(lines, number)]
        calls += _nested_checks(sources, CALL.findall(body)[1:], depth - 1, seen)
    return calls


def _library_sources(tree):
    texts = []
    for directory, _, files in os.walk(os.path.join(tree, "lib")):
        for name in files:
            if name.endswith((".c", ".h")):
                with open(os.path.join(directory, name), errors="replace") as source:
                    texts.append(source.read())
    return texts


def _read(path):
    try:
        with open(path, errors="replace") as source:
            return source.read()
    except OSError:
        return None


def _test_dir_sources(tree):
    """The C files of the tree's TEST_DIR: where the selected frame's line is a
    library header's, its function is still defined there."""
    directory = os.path.join(tree, trees.test_dir(tree))
    return [os.path.join(directory, name) for name in sorted(os.listdir(directory))
            if name.endswith(".c")]


def check_stop(output, tree, log_path):
    """Verdict of a kut-debug --fail run's output, for the test of log_path in tree."""
    message = first_fail_message(log_path)
    frames = FRAME.findall(output)
    if not frames:
        if NOTHING_FAILED.search(output):
            # A check of timing (riscv's sbi timer, ppc64's rtas clock) may pass on a re-run.
            return Verdict("not reproduced: the re-run counted no failure")
        return Verdict("--fail: no frame", detail=output[-400:])
    function, file, line = frames[-1]
    where = "%s:%s" % (file, line)
    path = file if os.path.isabs(file) else os.path.join(tree, file)
    try:
        with open(path, errors="replace") as source:
            source_lines = source.read().splitlines()
    except OSError:
        return Verdict("--fail: no source", where, path)
    # A check in a macro, a library helper or a tail call has no frame of its
    # own: the test's line that calls it is the stop. A caller's line may also
    # be an inlined helper's (ppc64's mfmsr()), so the function's body counts.
    sources = ["\n".join(source_lines)] + _library_sources(tree)
    test_sources = [text for text in (_read(path) for path in
                                      _test_dir_sources(tree)) if text]
    candidates = (
        (_call_at(source_lines, int(line)), "stopped at FAIL"),
        (_nested_checks(sources, CALL.findall(source_lines[int(line) - 1])),
         "stopped at FAIL, the line calling the check"),
        (_nested_checks(test_sources + sources[1:], [function], 1),
         "stopped at FAIL, in the function holding the check"))
    for calls, outcome in candidates:
        for arguments in calls:
            pattern = message_pattern(arguments)
            if pattern is None or re.search(pattern + "$", message):
                return Verdict(outcome, where)
        if calls:
            return Verdict("--fail: other message", where,
                           "log: %s; call: %s" % (message, calls))
    return Verdict("--fail: not a report()", where, output[-400:])
