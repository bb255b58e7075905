"""kut-why's reading of the statement that set a variable: the statement
spanning a line, whether it writes the variable, and with what."""

from kut_load.why.statement import (assigned_value, assigns, compound_operator, statement_at,
                                    value_source)

SOURCE = [
    "\tpattern = 0x0103020f;",
    "\twritel(pattern, targetsptr + GIC_FIRST_SPI);",
    "\treg = readl(targetsptr +",
    "\t\t    GIC_FIRST_SPI);",
    "\treport(reg == (pattern & cpu_mask), \"register content preserved\");",
    "\tr &= !strcmp(argv[3], \"baz\");",
]


def test_the_statement_of_a_line_is_joined_from_the_lines_it_spans():
    assert statement_at(SOURCE, 4) == "reg = readl(targetsptr + GIC_FIRST_SPI);"
    assert statement_at(SOURCE, 3) == statement_at(SOURCE, 4)
    assert statement_at(SOURCE, 1) == "pattern = 0x0103020f;"


def test_a_write_is_an_assignment_an_increment_or_the_address_handed_on():
    assert assigns("reg = readl(x);", "reg")
    assert assigns("r &= !strcmp(a, b);", "r")
    assert assigns("i++;", "i") and assigns("--i;", "i")
    assert assigns("sbi_get(&ret);", "ret")
    assert assigns("p->x = 1;", "p->x")
    assert not assigns("report(reg == 1, \"x\");", "reg")
    assert not assigns("p->reg = 1;", "reg")
    assert not assigns("regs = 1;", "reg")


def test_what_was_assigned_and_what_it_is():
    assert value_source(assigned_value(statement_at(SOURCE, 1), "pattern")) == (
        "constant", 0x0103020f)
    assert value_source(assigned_value(statement_at(SOURCE, 3), "reg")) == ("call", "readl")
    assert value_source("(u32)(other)") == ("variable", "other")
    assert value_source("a->b") == ("variable", "a->b")
    assert value_source("(reg == (pattern & mask))") == ("expression", "reg == (pattern & mask)")
    assert value_source("f(a) + g(b)") == ("expression", "f(a) + g(b)")
    assert value_source("010") == ("constant", 8)


def test_a_compound_assignment_is_told_from_a_plain_one():
    assert compound_operator(SOURCE[5], "r") == "&="
    assert assigned_value(SOURCE[5], "r") == '!strcmp(argv[3], "baz")'
    assert compound_operator(statement_at(SOURCE, 3), "reg") is None
