"""kut-debug --why on upstream tests: the check it names is the log's FAIL
line's (fail_check reads the log and the source), and every value it shows
is the one gdb's own `print` reads in the same frame."""

import os
import re
import subprocess

import fail_check
import upstream
from test_upstream_logs import KUT_DEBUG

MARK = "kut-test-mark"
SHOWN = re.compile(r"^kut-why:   (.+?) = (0x[0-9a-f]+) \((-?\d+)\)$", re.M)


def why(config, test, prints):
    tree = upstream.tree(config)
    log = upstream.logs(config, [test])[test]
    args = ["--nx", "--batch", "--why", "--ex", "echo %s\\n" % MARK]
    for expression in prints:
        args += ["--ex", "print/d " + expression]
    env = {name: value for name, value in os.environ.items() if name != "ACCEL"}
    done = subprocess.run([KUT_DEBUG] + args + [log], cwd=tree, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    verdict = fail_check.check_stop(out, tree, log)
    assert verdict.outcome == "stopped at FAIL", (verdict.where, verdict.detail, out)
    said, _, printed = done.stdout.partition(MARK + "\n")
    return tree, said, re.findall(r"^\$\d+ = (-?\d+)$", printed, re.M), out


def test_gicv2_mmio_up_names_the_condition_and_the_values_of_its_operands():
    # The condition as the source writes it, read here with a pattern of its own.
    tree = upstream.tree("arm64")
    with open(os.path.join(tree, "arm", "gic.c")) as source:
        lines = source.read().splitlines()
    call = next(number for number, line in enumerate(lines, 1)
                if "register content preserved" in line and "report(" in line)
    left, right = re.search(r"report\((\w+) == (.+), \"register", lines[call - 1]).groups()
    tree, said, printed, out = why("arm64", "gicv2-mmio-up", [left, right, left + " == " + right])
    assert "kut-why: the check at arm/gic.c:%d: report(" % call in said, out
    assert "kut-why: %s == %s is false\n" % (left, right) in said, out
    assert printed[2] == "0", out  # gdb: the condition does not hold
    shown = {name: int(decimal) for name, _, decimal in SHOWN.findall(said)}
    assert shown == {left: int(printed[0]), right: int(printed[1])}, out


def test_x86_64_msr_names_the_macro_gdb_cannot_evaluate():
    tree, said, printed, out = why("x86_64", "msr", [])
    check = re.search(r"^kut-why: the check at (\S+):(\d+): (report\(.*)$", said, re.M)
    assert check, out
    with open(os.path.join(tree, check.group(1))) as source:
        line = source.read().splitlines()[int(check.group(2)) - 1]
    assert re.search(r"\breport\(", line), line
    macros = re.findall(r"^kut-why:   ([A-Z_][A-Z0-9_]*): gdb cannot evaluate it here .*"
                        r"a macro is known to gdb only in a build with -g3\)$", said, re.M)
    assert macros and all(macro in check.group(3) for macro in macros), out
