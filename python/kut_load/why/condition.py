"""The condition of a failing check, read from the test's source: the first
argument of the report() call (report, report_xfail, report_kfail, ...)
on the check's line, written over one line or several, and the operands of
its top-level comparison or logical operator. Pure: text in, text out."""

import re

# lib/report.c's checks whose first argument is the condition.
REPORT_CALL = re.compile(r"\breport(?:_xfail|_kfail)?\s*\(")
# Lines above the check's line that a call written over several lines may start on.
LINES_ABOVE = 8
# Lowest precedence first: the condition is split at the first level that has one.
OPERATORS = (("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"))
PAIRS = {"(": ")", "[": "]", "{": "}"}


class Check:
    """A report() call: its first line (1-based), the call as written (its
    lines joined), and its condition."""

    def __init__(self, line, call, condition):
        self.line = line
        self.call = call
        self.condition = condition


def find_check(lines, line):
    """The Check of the report() call that spans `line` (1-based) of the
    source lines, or None."""
    for start in range(line, max(0, line - LINES_ABOVE - 1), -1):
        text = "\n".join(lines[start - 1:line + LINES_ABOVE])
        for match in REPORT_CALL.finditer(text):
            if text[:match.start()].count("\n") > 0:
                break  # a call on a later line than start: looked at from there
            arguments = call_arguments(text, match.end())
            if arguments is None:
                continue
            args, end = arguments
            last = start + text[:end].count("\n")
            if start <= line <= last and args:
                call = " ".join(part.strip() for part in text[match.start():end].split("\n"))
                return Check(start, call, " ".join(args[0].split()))
    return None


def call_arguments(text, index):
    """(the top-level arguments of the call whose "(" ends at index, the
    index after its ")"), or None when it does not close in text."""
    start, arguments = index, []
    for position, char, depth in scanned(text, index):
        if depth == 0 and char in ")]}":
            arguments.append(text[start:position].strip())
            return arguments, position + 1
        if depth == 0 and char == ",":
            arguments.append(text[start:position].strip())
            start = position + 1
    return None


def scanned(text, position=0):
    """(index, character, nesting depth before it) of each character of text
    from position on, outside string and character literals."""
    depth = 0
    while position < len(text):
        char = text[position]
        if char in "\"'":
            position = skip_literal(text, position)
            continue
        yield position, char, depth
        if char in PAIRS:
            depth += 1
        elif char in ")]}":
            depth -= 1
        position += 1


def skip_literal(text, position):
    """The index after the string or character literal starting at position."""
    quote = text[position]
    position += 1
    while position < len(text) and text[position] != quote:
        position += 2 if text[position] == "\\" else 1
    return position + 1


def operands(condition):
    """(operator, [operands]) of the condition's top-level operator of
    lowest precedence, or (None, [condition]) when it has none."""
    for level in OPERATORS:
        parts, found = split_top_level(condition, level)
        if len(parts) > 1:
            return found, parts
    return None, [condition]


def split_top_level(text, operators):
    """text split at the operators outside parentheses and literals, and the
    first operator found; a "<" or ">" of a shift (<<, >>) or of "->" is no
    comparison."""
    parts, start, found = [], 0, None
    for position, _, depth in scanned(text):
        if depth or position < start:
            continue
        operator = next((op for op in operators if text.startswith(op, position)
                         and not part_of_longer(text, position, op)), None)
        if operator:
            parts.append(text[start:position].strip())
            found = found or operator
            start = position + len(operator)
    parts.append(text[start:].strip())
    return parts, found


def part_of_longer(text, position, operator):
    """Whether the operator at position is part of a longer one (<<, >>=, ->, ...)."""
    before = text[position - 1] if position else ""
    after = text[position + len(operator):position + len(operator) + 1]
    if operator in ("<", ">"):
        return after in ("<", ">", "=") or before in ("<", ">", "-")
    if operator in ("<=", ">="):
        return before in ("<", ">")
    if operator in ("==", "!="):
        return after == "=" or before in ("=", "!", "<", ">")
    return False
