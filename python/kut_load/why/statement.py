"""The C statement on a line of the test's source, and what it does to a
variable: whether it writes it, and with what (a constant, another
variable, a call's return value). Pure: source text in, text out."""

import re

from kut_load.why.condition import call_arguments, scanned

# Lines a statement written over several lines may span around the line asked for.
LINES_AROUND = 8
# A variable as a check names it: a name, or a member of one (a.b, a->b).
VARIABLE = re.compile(r"^[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*$")
# An integer constant as C writes it, with its suffixes.
CONSTANT = re.compile(r"^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$")
# A cast in front of an expression: (u32), (unsigned long), (void *).
CAST = re.compile(r"^\(\s*(?:const\s+|volatile\s+|unsigned\s+|signed\s+|struct\s+)*"
                  r"[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*\s*\**\s*\)\s*")
CALL = re.compile(r"^([A-Za-z_]\w*)\s*\(")


def statement_at(lines, line):
    """The statement spanning `line` (1-based) of the source lines, joined
    into one line: from after the end of the statement before it to the
    first ";" from that line on."""
    start = line
    while start > max(1, line - LINES_AROUND) and not ends_statement(lines[start - 2]):
        start -= 1
    end = line
    while end < min(len(lines), line + LINES_AROUND) and not ends_statement(lines[end - 1]):
        end += 1
    return " ".join(text.strip() for text in lines[start - 1:end])


def ends_statement(text):
    """Whether a statement cannot go on past this line: it ends one, opens or
    closes a block, is blank, a comment or a preprocessor line."""
    code = text.split("//")[0].strip()
    return (not code or code.endswith((";", "{", "}", ":", "*/")) or code.startswith("#")
            or code.startswith(("/*", "* ")) or code == "*")


def name_pattern(name):
    """A regular expression for the variable `name` (a.b, a->b) in C text."""
    parts = re.split(r"\s*(\.|->)\s*", name.strip())
    body = r"\s*".join(re.escape(part) for part in parts)
    return r"(?<![\w.>])" + body + r"(?!\w)"


def assigns(statement, name):
    """Whether the statement writes the variable: =, a compound assignment,
    ++ or --, or its address handed on (&name)."""
    pattern = name_pattern(name)
    return bool(re.search(pattern + r"\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)", statement)
                or re.search(pattern + r"\s*(?:\+\+|--)", statement)
                or re.search(r"(?:\+\+|--)\s*" + pattern, statement)
                or re.search(r"&\s*" + pattern, statement))


def assigned_value(statement, name):
    """The expression of `name = EXPRESSION;` (or of a compound assignment,
    `name &= EXPRESSION;`) in the statement, or None for another kind of
    write."""
    match = re.search(name_pattern(name) + r"\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)", statement)
    if not match:
        return None
    end = next((position for position, char, depth in scanned(statement, match.end())
                if depth == 0 and char in ";,)"), len(statement))
    return statement[match.end():end].strip() or None


def compound_operator(statement, name):
    """"&=" of `name &= ...;` in the statement, or None for a plain "="."""
    match = re.search(name_pattern(name) + r"\s*([-+*/%&|^]|<<|>>)=(?!=)", statement)
    return match.group(1) + "=" if match else None


def value_source(expression):
    """What an assigned expression is: ("constant", int), ("variable",
    name), ("call", function name) or ("expression", text)."""
    text = expression.strip()
    while True:
        stripped = CAST.sub("", text, count=1).strip()
        if stripped.startswith("(") and closes_at_end(stripped):
            stripped = stripped[1:-1].strip()
        if stripped == text:
            break
        text = stripped
    constant = CONSTANT.match(text)
    if constant:
        value = int(constant.group(2), 0) if not re.match(r"^0[0-7]+$", constant.group(2)) \
            else int(constant.group(2), 8)
        return "constant", -value if constant.group(1) else value
    if VARIABLE.match(text):
        return "variable", text
    call = CALL.match(text)
    if call and closes_at_end(text[call.end() - 1:]):
        return "call", call.group(1)
    return "expression", text


def closes_at_end(text):
    """Whether the "(" text starts with closes at its last character."""
    arguments = call_arguments(text, 1)
    return arguments is not None and arguments[1] == len(text)
