"""kut-why's reading of a check from the test's source: the report() call
spanning a line, its condition and the condition's operands."""

import pytest

from kut_load.why.condition import find_check, operands

# arm/gic.c and x86/msr.c as upstream writes them.
GIC = """\
	reg = readl(targetsptr + GIC_FIRST_SPI);
	report(reg == (pattern & cpu_mask), "register content preserved");
	if (reg != (pattern & cpu_mask))
""".splitlines()
MSR = """\
	vector = wrmsr_safe(msr, val);
	report(vector == GP_VECTOR,
	       "Expected #GP on WRMSR(%s, 0x%llx), got vector %d",
	       name, val, vector);
}
""".splitlines()


def test_a_one_line_check():
    check = find_check(GIC, 2)
    assert (check.line, check.condition) == (2, "reg == (pattern & cpu_mask)")
    assert check.call == 'report(reg == (pattern & cpu_mask), "register content preserved")'
    assert find_check(GIC, 3) is None and find_check(GIC, 1) is None


@pytest.mark.parametrize("line", [2, 3, 4])
def test_a_check_over_several_lines_from_any_of_its_lines(line):
    check = find_check(MSR, line)
    assert (check.line, check.condition) == (2, "vector == GP_VECTOR")
    assert check.call.startswith("report(vector == GP_VECTOR, \"Expected #GP on WRMSR(%s, ")


def test_commas_and_parentheses_in_strings_do_not_end_the_condition():
    lines = ['	report_xfail(!strcmp(s, "a,b)"), a < b, "x (%d)", c);']
    assert find_check(lines, 1).condition == '!strcmp(s, "a,b)")'


@pytest.mark.parametrize("condition, operator, parts", [
    ("reg == (pattern & cpu_mask)", "==", ["reg", "(pattern & cpu_mask)"]),
    ("a == b && c != d", "&&", ["a == b", "c != d"]),
    ("x || y && z", "||", ["x", "y && z"]),
    ("(a << 2) > b->c", ">", ["(a << 2)", "b->c"]),
    ("a >> 1 <= 3", "<=", ["a >> 1", "3"]),
    ("p->q", None, ["p->q"]),
    ("res", None, ["res"]),
    ('s[i] != \'=\'', "!=", ["s[i]", "'='"])])
def test_operands_of_the_lowest_precedence_operator(condition, operator, parts):
    assert operands(condition) == (operator, parts)
