"""ARCH/unittests.cfg: the tests of a kvm-unit-tests tree and how each runs.

Read as scripts/common.bash's for_each_unittest reads it: a `[name]` line
starts a test, `key = value` lines give its fields (the value runs to the
end of the line, unquoted), anything else is ignored. A field given twice
keeps the last value; smp defaults to 1.
"""

import re
from dataclasses import dataclass

SECTION = re.compile(r"^\[(.*)\]$")
FIELD = re.compile(r"^(\w+) *= *(.*)$")
# extra_params is qemu_params' older name; both are QEMU options.
QEMU_PARAM_KEYS = ("extra_params", "qemu_params")


@dataclass
class TestEntry:
    """One test: file relative to TEST_DIR, smp and the QEMU options as
    written (run_tests.sh evals them), groups split into words."""
    name: str
    file: str = ""
    smp: str = "1"
    qemu_params: str = ""
    test_args: str = ""
    groups: tuple = ()
    arch: str = ""
    accel: str = ""
    machine: str = ""
    check: str = ""
    timeout: str = ""


def parse(text):
    """{name: TestEntry} of every test in text, in file order."""
    tests = {}
    entry = None
    for line in text.splitlines():
        section = SECTION.match(line)
        if section:
            entry = tests[section.group(1)] = TestEntry(section.group(1))
            continue
        field = FIELD.match(line)
        if entry is None or not field:
            continue
        key, value = field.groups()
        if key in QEMU_PARAM_KEYS:
            entry.qemu_params = value
        elif key == "groups":
            entry.groups = tuple(value.split())
        elif key in ("file", "smp", "test_args", "arch", "accel", "machine", "check",
                     "timeout"):
            setattr(entry, key, value)
    return tests
