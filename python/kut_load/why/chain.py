"""kut-why's way back from a failing check, in a replay: for a variable of
the check's condition, the line that last set it (the lines the test's
frame ran before the check, gone through forwards from the start of its
function, the last whose statement writes it), and where the value came
from: a device read QEMU traced on that line (QEMU's region, the value the
device answered, and the last write to that address before it), a
constant, another variable (followed back in turn) or a call."""

import re

import gdb

from kut_load.quoting import printable
from kut_load.why import device_steps, earlier_write, history, replay
from kut_load.why.condition import call_arguments, operands
from kut_load.why.statement import (VARIABLE, assigned_value, assigns, compound_operator,
                                    statement_at, value_source)
from kut_load.why.values import evaluated, is_integer, shown, unsigned


class TestFrame:
    """The test's frame the walk stays in, and what is known of it once the
    walk has gone back past its start (when the gdb.Frame no longer exists):
    its function's name and its arguments' names."""

    def __init__(self, frame):
        self.frame = frame
        self.function = str(frame.function() or frame.name() or "??")
        # A function that tail-called report() is a frame gdb makes up at the check,
        # whose id its real frame never had: its caller tells them apart.
        self.caller = frame.older() if frame.type() == gdb.TAILCALL_FRAME else None
        sal = frame.find_sal()
        self.file = sal.symtab.filename if sal.symtab else "??"
        self.linetable = sal.symtab.linetable() if sal.symtab else None
        self.entry = None  # QEMU's instruction count where the function's run began
        self.start = 0  # QEMU's instruction count at the replay's start
        try:
            block = frame.block()
        except RuntimeError:
            block = None
        self.arguments = set()
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            self.arguments = {symbol.name for symbol in block if symbol.is_argument}

    def has_code(self, line):
        """Whether the line table gives line of the test's file code of its own."""
        return self.linetable is None or self.linetable.has_line(line)

    def __eq__(self, frame):
        # gdb may call an inlined callee's frame equal to its caller's: the function tells.
        return self.is_frame(frame) and str(frame.function() or frame.name()) == self.function

    def is_frame(self, frame):
        """Whether frame has the test frame's id (gdb's ==)."""
        if self.caller is None:
            return frame == self.frame
        caller = frame.older()
        return caller is not None and real_frame_id(caller) == real_frame_id(self.caller)


def real_frame_id(frame):
    """gdb's text of the frame's id ("{stack=0x36000,code=0x19b1e,!special}"),
    without the depth gdb adds to a frame above a made-up tail-call frame."""
    return re.sub(r",artificial=\d+", "", str(frame))


def is_function(name):
    """Whether gdb knows a function of that name (not a macro of the source)."""
    try:
        symbol = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    except (gdb.error, AttributeError):
        symbol = gdb.lookup_symbol(name)[0]
    return symbol is not None and symbol.type is not None \
        and symbol.type.code == gdb.TYPE_CODE_FUNC


def select(test_frame):
    """Selects the test's frame, where the guest now runs it or a callee."""
    frame = gdb.newest_frame()
    while frame is not None and frame != test_frame:
        frame = frame.older()
    if frame is not None:
        frame.select()


def folded_constant(source_lines, test_frame, stops, name, value):
    """What to say of a variable no line with code of the frame set, where a
    line of the function's source before the check sets it to a constant
    equal to its value: the compiler folded that line into the code after.
    Where gdb has no value at the check, the one line setting it without
    code of its own (the line table's): the lines with code did not run."""
    if not stops or (value is not None and not is_integer(value)):
        return None
    first, last = definition_line(source_lines, test_frame, stops[0].line), stops[-1].line
    setting = [line for line in range(last, first - 1, -1)
               if assigns(statement_at(source_lines, line), name)]
    for line in setting:
        statement = statement_at(source_lines, line)
        assigned = assigned_value(statement, name)  # None for `++`, `&name` handed to a call
        kind, constant = value_source(assigned) if assigned else (None, None)
        if kind != "constant" or compound_operator(statement, name) is not None:
            continue
        if value is None:
            # A line with code that set it would be among the lines run: not this run's.
            folded = [other for other in setting if not test_frame.has_code(other)]
            if len(folded) > 1:
                return ("%s = %s: set at %s, lines without code of their own (the compiler "
                        "put their values into the code that uses them); gdb has no value for "
                        "it to tell which" % (name, shown_or_none(None), " or ".join(
                            "%s:%d (%s)" % (printable(test_frame.file), other, printable(
                                statement_at(source_lines, other))) for other in folded)))
            if folded != [line]:
                return None
        elif unsigned(constant, value.type.sizeof) != unsigned(int(value), value.type.sizeof):
            continue
        return ("%s = %s was set at %s:%d: %s (a line without code of its own: the "
                "compiler put the constant into the code that uses it)"
                % (name, constant if value is None else shown(value),
                   printable(test_frame.file), line, printable(statement)))
    return None


def definition_line(source_lines, test_frame, first_run):
    """The line above first_run (the first the function ran) naming the
    test's function with its parameters: where its declarations start.
    first_run itself where none is (an inlined function's symbol gives gdb
    the line of its call)."""
    pattern = re.compile(r"\b%s\s*\(" % re.escape(test_frame.function))
    for line in range(first_run, 0, -1):
        if pattern.search(source_lines[line - 1] if line <= len(source_lines) else ""):
            return line
    return first_run


def shown_or_none(value):
    return shown(value) if value is not None else "(no value gdb can read at the check)"


def changed_since(stops, value):
    """" (then X, ...)": the other values gdb read at the lines after the
    one that set the variable, when it held another value there than at the
    check: a write through a pointer, or in a function the test called."""
    seen = []
    for stop in stops if value is not None else ():
        if stop.value is not None and str(stop.value) != str(value) \
                and shown(stop.value) not in seen:
            seen.append(shown(stop.value))
    return "; it held %s at later lines of the function" % ", ".join(seen) if seen else ""


def follow(frame, source_lines, name, value, depth, say):
    """Says, by say(text), where name (value at the check, a gdb.Value) was
    set in frame, and where that value came from, following the variables
    it came from depth deep. The guest is left anywhere in the replay; the
    caller brings it back."""
    test_frame = TestFrame(frame)
    end = replay.instruction_count()
    test_frame.entry = history.entry_count(test_frame, end)
    if test_frame.entry is None:
        say("%s: the replay shows no start of %s's run before the check"
            % (printable(name), printable(test_frame.function)))
        return
    walk(test_frame, source_lines, name, value, end, depth, say)


def walk(test_frame, source_lines, name, value, end, depth, say):
    """follow(), for the last write of name before instruction count end."""
    sources = last_write(test_frame, source_lines, name, value, end, say)
    if depth <= 1:
        return
    for source, source_value, source_end in sources:
        walk(test_frame, source_lines, source, source_value, source_end, depth - 1,
             lambda text: say("  " + text))


def last_write(test_frame, source_lines, name, value, end, say):
    """Finds the line that last set name before instruction count end; says
    it and where the value came from. [(a variable the value came from, its
    value, the count before that line)] to follow next."""
    stops, short = history.lines_until(test_frame, test_frame.entry, end, name)
    index = next((index for index in range(len(stops) - 1, -1, -1)
                  if assigns(statement_at(source_lines, stops[index].line), name)), None)
    if index is None:
        folded = folded_constant(source_lines, test_frame, stops, name, value)
        if folded:
            say(folded)
            return []
        if short:
            say("%s = %s: not found (%s)" % (name, shown_or_none(value), short))
        elif name in test_frame.arguments:
            say("%s = %s: an argument of %s, set before it was called" % (
                name, shown_or_none(value), printable(test_frame.function)))
        else:
            say("%s = %s: no line %s ran before it sets it (it was set before %s was "
                "called, through a pointer, or by the CPU or a device)" % (
                    name, shown_or_none(value), printable(test_frame.function),
                    printable(test_frame.function)))
        return []
    setting = stops[index]
    after = stops[index + 1].count if index + 1 < len(stops) else end
    if value is None and index + 1 < len(stops):
        value = stops[index + 1].value  # gdb had none at the check: the line's own
    # From the line before, so that instructions the compiler moved before the
    # line's first one are stepped over too.
    replay.go_to(stops[max(0, index - 1)].count)
    statement = statement_at(source_lines, setting.line)
    say("%s = %s was set at %s:%d: %s%s" % (
        name, shown_or_none(value), printable(test_frame.file), setting.line, printable(statement),
        changed_since(stops[index + 1:], value)))
    accesses, trace_error = device_steps.traced_until(after, test_frame)
    select(test_frame)
    regions = device_steps.mtree_regions() if accesses else []
    assigned = assigned_value(statement, name)
    kind, what = value_source(assigned) if assigned else ("expression", None)
    reads = [item for item in accesses if not item.access.write
             and item.test_line == setting.line]
    if not reads and kind == "call" and value is not None and is_integer(value):
        # The compiler may have put a readl()'s load on a line next to it: the read of
        # this value. Not for an expression of variables, whose value (a 0, a false)
        # another line's read may hold by chance: those variables are followed instead.
        reads = [item for item in accesses if not item.access.write
                 and item.access.value == unsigned(int(value), item.access.size)]
    if reads:
        read = reads[-1]
        say(device_steps.read_line(read, regions))
        writes = [item for item in accesses[:accesses.index(read)]
                  if item.access.write and device_steps.overlap(item.access, read.access)]
        if writes:
            say(device_steps.write_line(writes[-1]))
            return []
        # Before the lines stepped: the last write there, from the replay's start.
        write, why_not = earlier_write.find(read, test_frame)
        say(device_steps.write_line(write) if write else "  " + why_not)
        return []
    if trace_error:
        say("  (device accesses not looked for: %s)" % trace_error)
    compound = compound_operator(statement, name)
    if compound:
        # What the line combined: the values before it, at its statement's start
        # (an `if (...)` on the line before is the same statement).
        start = index
        while start > 0 and statement_at(source_lines, stops[start - 1].line) == statement:
            start -= 1
        replay.go_to(stops[start].count)
        select(test_frame)
        before, _ = evaluated(name)
        here, error = evaluated(assigned)
        say("  %s %s %s, where before the line %s = %s and %s%s" % (
            printable(name), compound, printable(assigned), printable(name),
            shown_or_none(before), printable(assigned),
            " = " + shown(here) if error is None else ": " + error))
        return [(name, before, stops[start].count)] if before is not None else []
    elif kind == "constant":
        say("  from the constant %s" % printable(assigned))
    elif kind == "call" and is_function(what):
        say("  the value %s() returned%s" % (
            printable(what), "" if trace_error else ", which read no device on that line"))
    elif kind == "call":
        # No function of that name: a macro, or a function inlined at every call (no
        # code of its own), whose arguments the value came from.
        arguments = call_arguments(assigned, assigned.index("(") + 1)
        parts = [part for part in (arguments[0] if arguments else []) if VARIABLE.match(part)]
        say("  from %s, a macro or a function inlined everywhere (gdb knows no function "
            "%s)%s" % (printable(assigned), printable(what),
                       ", of " + ", ".join(printable(part) for part in parts) if parts else ""))
        followed = []
        for part in parts:
            here, error = evaluated(part)
            if here is None:
                say("  %s: %s" % (printable(part), error))
            elif part != name:
                followed.append((part, here, setting.count))
        return followed
    elif assigned:
        # After the line, the variables of the expression still hold what it read.
        _, parts = operands(what) if kind == "expression" else (None, [what])
        followed = []
        for part in parts:
            here, error = evaluated(part)
            say("  from %s%s" % (printable(part), " = " + shown(here) if error is None
                                 else ": " + error))
            if here is not None and VARIABLE.match(part) and part != name:
                followed.append((part, here, setting.count))
        return followed
    return []
