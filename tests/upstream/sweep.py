#!/usr/bin/python3
"""The sweep: every test of every upstream unittests.cfg, through kut-debug.

For each configuration (trees.CONFIGURATIONS; the EFI ones when named; x86_64-kvm,
the x86_64 tree under ACCEL=kvm, where /dev/kvm is usable) and each test of its
unittests.cfg, runs `kut-debug T --batch` in the built tree, as a user
would, and checks the stop: gdb's "main (...) at FILE:LINE" against the
line the ELF's own DWARF gives (dwarf_oracle), or a refusal of one line
whose reason is one the README lists. Then, for every test whose real
run_tests.sh log has a FAIL line, `kut-debug --why logs/T.log --batch`
must stop at a report() call of the test's source whose message is that
line's (as --fail does), and the table says how far kut-why went back from
it: a device read, a constant, a return value, the line that set the
variable, or the condition's values only (where QEMU cannot record).

  /usr/bin/python3 tests/upstream/sweep.py [--jobs N] [--table FILE] [CONFIG ...]

Exits 1 if any test gives another result, or kut-why fails. Prints a table
(configuration, test, result, stop, --why reached, seconds) and the totals.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "python"))

import dwarf_oracle  # noqa: E402
import fail_check  # noqa: E402
import run_logs  # noqa: E402
import trees  # noqa: E402
from kut_debug.tree import unittests_cfg  # noqa: E402

KUT_DEBUG = os.path.join(REPO, "python", "kut-debug")
# A whole test may run before a --fail stop: the slowest under TCG take minutes.
STOP_TIMEOUT = 120
FAIL_TIMEOUT = 300
# run_tests.sh's limit for each test of the logs (its default is 90 s): a FAIL line
# a test prints later than that is not swept.
LOG_TIMEOUT = "45s"

MAIN_STOP = re.compile(r"(?:^|hit )(?:Temporary b|B)reakpoint 1, (?:0x[0-9a-f]+ in )?main "
                       r"\(.*\) at (\S+):(\d+)$", re.M)
# The refusals the README lists, by the words kut-debug's one line uses.
REFUSALS = (
    ("migration", re.compile(r"is a migration test")),
    ("other arch", re.compile(r"runs on \S+ only, and this tree is built for")),
    ("other accel", re.compile(r"needs ACCEL=")),
    ("other machine", re.compile(r"needs MACHINE=")),
    ("check", re.compile(r"run_tests.sh skips .*\(check = ")),
    ("QEMU cannot run it here", re.compile(r"exited at once: ")),
    ("not built", re.compile(r"nor its ELF .* exists; build the tests")),
    ("no main", re.compile(r"has no function main")),
    # Some QEMU and KVM pairs give the guest a hardware breakpoint's #DB (docs/kut-debug.md).
    ("the guest took gdb's #DB", re.compile(r"the guest took the debug exception of a "
                                            r"hardware breakpoint itself")),
)


# How far kut-debug --why got at a FAIL, farthest first: what kut-why says.
WHY_REACHED = (
    ("kut-why's error", re.compile(r"^kut-why failed inside kut-load", re.M)),
    ("a device read", re.compile(r"^kut-why: +an? \d+-bit read of ", re.M)),
    ("a constant", re.compile(r"^kut-why: +from the constant ", re.M)),
    ("a return value", re.compile(r"^kut-why: +the value \S+\(\) returned", re.M)),
    ("a macro's arguments", re.compile(r"^kut-why: +from .*, a macro or a function inlined "
                                       r"everywhere", re.M)),
    ("an argument", re.compile(r"^kut-why: .* set before \S+ was called", re.M)),
    ("the line that set it", re.compile(r"^kut-why: .* was set at ", re.M)),
    ("the values, not recorded", re.compile(r"^kut-debug: not recorded", re.M)),
    ("the values", re.compile(r"^kut-why: .* is (?:true|false)$", re.M)),
    ("the condition, which gdb cannot evaluate", re.compile(
        r"^kut-why: .*: gdb cannot evaluate it here", re.M)),
)


def why_reached(output):
    return next((name for name, pattern in WHY_REACHED if pattern.search(output)), "")


class Result:
    def __init__(self, config, test, outcome, stop="", detail="", why=""):
        self.config, self.test, self.outcome, self.stop, self.detail, self.why = (
            config, test, outcome, stop, detail, why)
        self.seconds = 0.0

    @property
    def good(self):
        return (self.outcome == "main" or self.outcome.startswith(
            ("refused:", "stopped at FAIL", "not reproduced"))) and self.why != WHY_REACHED[0][0]


def kernel_elf(tree, entry):
    """The ELF holding the test's DWARF: X.elf beside X.flat, X.efi.debug beside X.efi."""
    base = os.path.join(tree, trees.test_dir(tree), entry.file)
    stem = base.rsplit(".", 1)[0]
    return stem + ".efi.debug" if trees.is_efi(tree) else stem + ".elf"


# The KVM row: a configuration's tests under ACCEL=kvm, where /dev/kvm is usable.
KVM_ROW = "-kvm"
KVM_CONFIGURATIONS = ("x86_64",)


def base_and_accel(config):
    """("x86_64", "kvm") for the row "x86_64-kvm"; (config, "tcg") otherwise."""
    if config.endswith(KVM_ROW):
        return config[:-len(KVM_ROW)], "kvm"
    return config, "tcg"


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def run_kut_debug(tree, config, arguments, timeout):
    """(exit status or None on timeout, stdout+stderr) of kut-debug in tree."""
    env = run_logs.environment(*base_and_accel(config))
    try:
        done = subprocess.run([KUT_DEBUG] + arguments + ["--batch"], cwd=tree, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        out = (expired.stdout or b"") + (expired.stderr or b"")
        return None, out.decode(errors="replace") if isinstance(out, bytes) else out
    return done.returncode, done.stdout + done.stderr


def refusal_kind(output):
    lines = [line for line in output.splitlines() if line.startswith("kut-debug: ")]
    for kind, pattern in REFUSALS:
        if any(pattern.search(line) for line in lines):
            return kind
    return None


def timed(check):
    """check, with the seconds it took recorded in its Result."""
    def run(*args):
        start = time.monotonic()
        result = check(*args)
        result.seconds = time.monotonic() - start
        return result
    return run


@timed
def to_main(tree, config, entry):
    status, output = run_kut_debug(tree, config, [entry.name], STOP_TIMEOUT)
    if status is None:
        return Result(config, entry.name, "timeout", detail=output[-300:])
    stop = MAIN_STOP.search(output)
    if stop:
        file, line = stop.group(1), int(stop.group(2))
        where = "%s:%d" % (file, line)
        start = dwarf_oracle.function_start(kernel_elf(tree, entry))
        if start is None:
            return Result(config, entry.name, "main, no DWARF to check", where)
        if not start.holds(file, line):
            return Result(config, entry.name, "wrong line", where, "DWARF: %r" % start)
        return Result(config, entry.name, "main", where)
    kind = refusal_kind(output)
    if status != 0 and kind:
        return Result(config, entry.name, "refused: " + kind)
    return Result(config, entry.name, "no stop", detail=output[-400:])


@timed
def at_failure(tree, config, name, log):
    """kut-debug --why at the log's first FAIL: --fail's stop, and how far kut-why went back."""
    status, output = run_kut_debug(tree, config, ["--why", log], FAIL_TIMEOUT)
    if status is None:
        return Result(config, name, "--fail timeout", detail=output[-300:])
    verdict = fail_check.check_stop(output, tree, log)
    return Result(config, name, verdict.outcome, verdict.where, verdict.detail,
                  why_reached(output))


def sweep(config, jobs, log=sys.stderr):
    base, accel = base_and_accel(config)
    tree = trees.tree(base, log)
    tests = unittests_cfg.parse(open(os.path.join(
        tree, trees.test_dir(tree), "unittests.cfg")).read())
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda entry: to_main(tree, config, entry), tests.values()))
        if accel == "kvm":  # the KVM row stops at main; its --fail stops are test_upstream_kvm's
            return [result if result.good else to_main(tree, config, tests[result.test])
                    for result in results]
        logs = run_logs.run_logs(tree, config, list(tests), timeout=LOG_TIMEOUT, jobs=jobs)
        failing = [(name, path) for name, path in logs.items()
                   if os.path.exists(path) and fail_check.has_fail_line(path)]
        results += pool.map(lambda item: at_failure(tree, config, *item), failing)
    # A test that checks timing may fail in one run and pass in the next: one retry.
    retry = {"main": lambda r: to_main(tree, config, tests[r.test]),
             "fail": lambda r: at_failure(tree, config, r.test, logs[r.test])}
    return [result if result.good else
            retry["main" if index < len(tests) else "fail"](result)
            for index, result in enumerate(results)]


def table(results):
    rows = ["| configuration | test | result | stop | --why reached | seconds |",
            "|---|---|---|---|---|---|"]
    rows += ["| %s | %s | %s | %s | %s | %.1f |" % (r.config, r.test, r.outcome, r.stop, r.why,
                                                    r.seconds)
             for r in results]
    return "\n".join(rows)


def totals(results):
    counts = Counter(r.outcome for r in results)
    return ", ".join("%s %d" % (outcome, count) for outcome, count in sorted(counts.items()))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # The EFI configurations boot firmware for each test: test_upstream_efi.py has them.
    default = [name for name in trees.CONFIGURATIONS if not name.endswith("-efi")]
    if kvm_usable():
        default += [name + KVM_ROW for name in KVM_CONFIGURATIONS]
    else:
        print("no usable /dev/kvm here: no KVM rows", file=sys.stderr)
    parser.add_argument("configs", nargs="*", default=default)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--table", help="also write the table to this file")
    options = parser.parse_args(argv)
    results = []
    for config in options.configs:
        found = sweep(config, options.jobs)
        results += found
        print("%s: %s" % (config, totals(found)), file=sys.stderr, flush=True)
    text = table(results) + "\n\nTotals: " + totals(results) + "\n"
    print(text)
    for bad in (r for r in results if not r.good):
        print("%s %s: %s %s\n  %s" % (bad.config, bad.test, bad.outcome, bad.stop,
                                      bad.detail.replace("\n", "\n  ")), file=sys.stderr)
    if options.table:
        with open(options.table, "w") as out:
            out.write(text)
    return 0 if all(r.good for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
