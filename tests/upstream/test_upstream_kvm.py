"""kut-debug under KVM (/dev/kvm, x86_64 guests): upstream x86_64 tests started
by x86/run with ACCEL=kvm. Where the guest stopped comes from gdb's registers;
its file:line from addr2line and the ELF's symbol table (pyelftools), never
from kut-load.

The tests pick what this host's KVM runs, as run_tests.sh does: QEMU 7.2
aborts under some KVM hosts at the first KVM_SET_MSRS of unittests.cfg's
`-cpu max` ("failed to set MSR 0x10a"), and QEMU 5.2 with any model, which
says nothing about kut-debug; the tier then skips, quoting QEMU."""

import os
import re
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

import upstream
from session import gdb_major

KUT_DEBUG = os.path.normpath(os.path.join(os.path.dirname(upstream.HERE), os.pardir, "python",
                                          "kut-debug"))
MARK = "kut-test-mark"
# What kut-break-fail says when this KVM lets it stop at none of the failures it counted.
MISSED = re.compile(r"^kut-break-fail: (the test ran to its end|QEMU ended the session): it "
                    r"counted (\d+) unexpected failures? \(its SUMMARY line\), but kut-break-fail "
                    r"stopped at none of them under KVM; run it under TCG \(ACCEL=tcg\) to stop "
                    r"at each$", re.M)


@pytest.fixture(scope="module")
def kvm_tree(tmp_path_factory):
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("no usable /dev/kvm on this machine")
    tree = upstream.tree("x86_64")
    # What run_tests.sh would see: a QEMU that aborts under this host's KVM runs no test.
    with open(msr_log_without_cpu_model(tree, str(tmp_path_factory.mktemp("kvm")))) as log:
        text = log.read()
    aborted = re.search(r"^.*(?:QEMU Aborted|KVM internal error).*$", text, re.M)
    if aborted:
        pytest.skip("this QEMU cannot run a test under this host's KVM: %s" % aborted.group(0))
    return tree


def kvm_environment():
    env = dict(os.environ)
    env["ACCEL"] = "kvm"
    return env


def run_kut_debug(tree, args):
    result = subprocess.run(["nice", KUT_DEBUG, "--nx", "--batch"] + args, cwd=tree,
                            env=kvm_environment(), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=300)
    return result, result.stdout + result.stderr


def skip_where_the_guest_took_the_debug_exception(tree, test, out):
    """Some QEMU and KVM pairs (QEMU 5.2 under kvm-pvm, seen) hand the debug
    exception of a hardware breakpoint to the guest instead of to the gdb stub:
    the guest then reports it on its console and ends."""
    if "the guest ended during" not in out:
        return
    with open(os.path.join(tree, "logs", test + ".console"), errors="replace") as console:
        taken = re.search(r"^Unhandled exception 1 #DB.*$", console.read(), re.M)
    if taken:
        # kut-debug names it, quoting the console.
        assert ("kut-debug: the guest took the debug exception of a hardware breakpoint itself "
                "(its console: %s)" % taken.group(0).strip()) in out, out
        pytest.skip("this QEMU under this host's KVM gives the guest the debug exception of a "
                    "hardware breakpoint: %s" % taken.group(0))


def symbol_range(elf, name):
    with open(elf, "rb") as stream:
        symbol = ELFFile(stream).get_section_by_name(".symtab").get_symbol_by_name(name)[0]
        return symbol["st_value"], symbol["st_value"] + symbol["st_size"]


def addr2line(elf, address):
    """(file name, line) of a code address, as binutils' addr2line reads the DWARF."""
    out = subprocess.run(["addr2line", "-e", elf, "%#x" % address], capture_output=True,
                         text=True, check=True).stdout.strip()
    path, _, line = out.rpartition(":")
    return os.path.basename(path), int(line.split()[0])


def first_fail_line(log):
    with open(log) as stream:
        return next((line.rstrip("\n")[len("FAIL: "):] for line in stream
                     if line.startswith("FAIL: ")), None)


def format_matches(format_string, text):
    """Whether printf's format_string can print text (the %-conversions msr.c uses)."""
    pattern = re.escape(format_string)
    for conversion, value in ((r"%s", r".*"), (r"%d", r"-?\d+"), (r"0x%llx", r"0x[0-9a-f]+"),
                              (r"%llx", r"[0-9a-f]+")):
        pattern = pattern.replace(re.escape(conversion), value)
    return re.fullmatch(pattern, text) is not None


def msr_log_without_cpu_model(tree, directory):
    """The log of msr run by x86/run under KVM with QEMU's default CPU model:
    x86/run echoes the QEMU command, as run_tests.sh's logs hold it. Through a
    pipe: QEMU reopens x86/run's stdout by /dev/fd, which a file would let
    write over the command line."""
    log = os.path.join(directory, "msr.log")
    run = subprocess.run(["nice", "./x86/run", "x86/msr.flat", "-smp", "1"], cwd=tree,
                         env=kvm_environment(), stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=300)
    with open(log, "w") as output:
        output.write(run.stdout + run.stderr)
    return log


def test_kut_debug_stops_at_main_under_kvm(kvm_tree):
    # sieve, as unittests.cfg has it: no CPU model of its own.
    elf = os.path.join(kvm_tree, "x86", "sieve.elf")
    result, out = run_kut_debug(kvm_tree, ["--ex", "echo %s\\n" % MARK, "--ex", "p/x $pc",
                                           "sieve"])
    skip_where_the_guest_took_the_debug_exception(kvm_tree, "sieve", out)
    assert result.returncode == 0, out
    assert "kut-debug: the guest runs under KVM (QEMU's info kvm), where a software breakpoint " \
           "does not stop it: thbreak main" in result.stdout, out
    stop, _, after = result.stdout.partition(MARK + "\n")
    pc = int(re.search(r"^\$1 = (0x[0-9a-f]+)$", after, re.M).group(1), 16)
    low, high = symbol_range(elf, "main")
    assert low <= pc < high, out
    name, line = addr2line(elf, pc)
    assert re.search(r"^Temporary breakpoint 1, main \(.*\) at \S*%s:%d$"
                     % (re.escape(name), line), stop, re.M), out


def test_next_over_a_call_and_finish_work_under_kvm(kvm_tree):
    """gdb's own breakpoints (next over setjmp(), finish) are hardware ones: an int3 of
    gdb's in guest RAM would end the guest ("KVM internal error", SIGABRT)."""
    elf = os.path.join(kvm_tree, "x86", "setjmp.elf")
    steps = []
    for _ in range(3):
        steps += ["--ex", "next", "--ex", "echo %s\\n" % MARK, "--ex", "p/x $pc"]
    result, out = run_kut_debug(kvm_tree, steps + ["--ex", "finish", "--ex", "echo %s\\n" % MARK,
                                                   "--ex", "p/x $pc", "setjmp"])
    skip_where_the_guest_took_the_debug_exception(kvm_tree, "setjmp", out)
    assert result.returncode == 0 and "SIGABRT" not in out, out
    pcs = [int(pc, 16) for pc in re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", result.stdout, re.M)]
    assert len(pcs) == 4, out
    lines = [addr2line(elf, pc) for pc in pcs[:3]]
    # Each next ends on a later line of main, the last one past the setjmp() call.
    source = open(os.path.join(kvm_tree, "x86", "setjmp.c")).read().splitlines()
    call = next(number for number, text in enumerate(source, 1) if "setjmp(" in text
                and "=" in text)
    assert [name for name, _ in lines] == ["setjmp.c"] * 3, (lines, out)
    assert lines[0][1] < lines[1][1] < lines[2][1] and lines[2][1] > call, (lines, out)
    # finish returns from main to its caller, the start-up code.
    low, high = symbol_range(elf, "main")
    assert not low <= pcs[3] < high, out


def test_advance_until_and_step_work_under_kvm(kvm_tree):
    """advance and until stop with gdb's own breakpoints (hardware ones here), and step
    into a call steps with them too; each lands where addr2line puts the line asked for,
    and step in the function called."""
    elf = os.path.join(kvm_tree, "x86", "sieve.elf")
    source = open(os.path.join(kvm_tree, "x86", "sieve.c")).read().splitlines()
    check = next(number for number, text in enumerate(source, 1) if "if (vm_available())" in text)
    call = next(number for number, text in enumerate(source, 1) if "setup_vm();" in text)
    commands = []
    for command in ("advance %d" % check, "until %d" % call, "step"):
        commands += ["--ex", command, "--ex", "echo %s\\n" % MARK, "--ex", "p/x $pc"]
    result, out = run_kut_debug(kvm_tree, commands + ["sieve"])
    skip_where_the_guest_took_the_debug_exception(kvm_tree, "sieve", out)
    assert result.returncode == 0 and "SIGABRT" not in out, out
    pcs = [int(pc, 16) for pc in re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", result.stdout, re.M)]
    assert len(pcs) == 3, out
    assert addr2line(elf, pcs[0]) == ("sieve.c", check), out
    assert addr2line(elf, pcs[1]) == ("sieve.c", call), out
    low, high = symbol_range(elf, "setup_vm")
    assert low <= pcs[2] < high, out


def failing_kvm_log(tree, directory):
    """(test, its run_tests.sh -v log) of the first of msr's tests that run_tests.sh runs
    under this host's KVM and that fails a check, or skips saying what it saw."""
    seen = []
    for test in ("msr", "msr64"):  # unittests.cfg's -cpu max, then -cpu qemu64
        env = dict(kvm_environment(), unittest_log_dir=os.path.relpath(directory, tree))
        verdict = subprocess.run(["nice", "./run_tests.sh", "-v", test], cwd=tree, env=env,
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=300).stdout.strip().splitlines()[-1:]
        log = os.path.join(directory, test + ".log")
        if os.path.isfile(log) and first_fail_line(log) is not None:
            return test, log
        seen.append("%s: %s" % (test, " ".join(verdict)))
    pytest.skip("no msr test fails a check under this host's KVM (run_tests.sh: %s)"
                % "; ".join(seen))


def test_fail_stops_at_the_first_fail_line_of_the_kvm_log(kvm_tree, tmp_path):
    test, log = failing_kvm_log(kvm_tree, str(tmp_path))
    text = first_fail_line(log)
    result, out = run_kut_debug(kvm_tree, ["--fail", "--ex", "echo %s\\n" % MARK, "--ex", "frame",
                                           "--ex", "p/x $pc", log])
    if gdb_major() < 11:  # refused in one line, before anything is set
        assert ("kut-break-fail under KVM needs hardware breakpoints, which gdb's Python has "
                "from gdb 11 on") in out, out
        return
    assert result.returncode == 0, out
    assert "nothing failed" not in out, out
    assert "kut-break-fail: under KVM (QEMU's info kvm) a software breakpoint does not stop " \
           "the guest, so these are hardware ones" in result.stdout, out
    missed = MISSED.search(result.stdout)
    if missed:  # this KVM does not stop at hardware breakpoints: said in one line
        assert int(missed.group(2)) >= 1, out
        return
    before, _, frame = result.stdout.partition(MARK + "\n")
    assert re.search(r"^kut-break-fail: unexpected failure 1 \(FAIL or XPASS\), at the check in ",
                     before, re.M), out
    assert re.search(r"^kut-break-fail: \S+%s\.log, FAIL line 1 of \d+ \(log line \d+\): "
                     r"FAIL: %s$" % (test, re.escape(text)), before, re.M), out
    assert "kut-break-fail: this run printed the same line\n" in before, out
    # The selected frame is a report() call whose format prints the log's FAIL line.
    found = re.search(r"^#(\d+)\s+0x([0-9a-f]+) in \w+ \(.*\) at (\S+):(\d+)$", frame, re.M)
    assert found, out
    path, line = os.path.join(kvm_tree, found.group(3)), int(found.group(4))
    with open(path) as source:
        call = " ".join(source.read().splitlines()[line - 1:line + 2])
    assert re.match(r"\s*report\(", call), call
    formats = re.findall(r'"((?:[^"\\]|\\.)*)"', call)
    assert any(format_matches(fmt, text) for fmt in formats), (call, text)
    # The frame's return address is just after the call, on its line (addr2line).
    name, returned_line = addr2line(os.path.join(kvm_tree, "x86", "msr.elf"),
                                    int(found.group(2), 16) - 1)
    assert (name, returned_line) == (os.path.basename(path), line), out


def test_an_exception_in_inlined_code_is_named_with_its_inline_chain(kvm_tree, tmp_path):
    """x86/syscall takes #GP in write_ss(), inlined twice into main, on KVM hosts
    whose AMD-model syscall emulation leaves SS bad: the stop names each inlined
    function's call site, as addr2line -i reads them at the log's faulting ip."""
    env = dict(kvm_environment(), unittest_log_dir=os.path.relpath(str(tmp_path), kvm_tree))
    verdict = subprocess.run(["nice", "./run_tests.sh", "-v", "syscall"], cwd=kvm_tree, env=env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=300).stdout.strip().splitlines()[-1:]
    log = os.path.join(str(tmp_path), "syscall.log")
    with open(log, errors="replace") as text:
        taken = re.search(r"^Unhandled exception \d+ .* at ip ([0-9a-f]+)$", text.read(), re.M)
    if not taken:
        pytest.skip("syscall takes no unhandled exception under this host's KVM (run_tests.sh: "
                    "%s)" % " ".join(verdict))
    chain = subprocess.run(["addr2line", "-f", "-i", "-e", os.path.join(kvm_tree, "x86",
                                                                        "syscall.elf"),
                            "0x" + taken.group(1)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    functions, places = chain[0::2], [place.split()[0] for place in chain[1::2]]
    assert len(functions) > 1, chain  # the faulting code is inlined
    result, out = run_kut_debug(kvm_tree, ["--fail", log])
    if gdb_major() < 11:
        return  # refused in one line (test_fail_stops_at_the_first_fail_line_of_the_kvm_log)
    said = re.search(r"^kut-break-fail: unexpected exception \(stopped in \w+\); it was taken at "
                     r"0x([0-9a-f]+) in (.*)$", result.stdout, re.M)
    assert said and int(said.group(1), 16) == int(taken.group(1), 16), out
    # "F at FILE:LINE, inlined into G at FILE:LINE, ...": each function with its line.
    shown = re.findall(r"(?:^|, inlined into )(\w+) at (\S+):(\d+)", said.group(2))
    assert [name for name, _, _ in shown] == functions, (chain, out)
    for (_, path, line), place in zip(shown, places):
        file_name, _, line_number = place.rpartition(":")
        assert (os.path.basename(path), line) == (os.path.basename(file_name), line_number), \
            (chain, out)
    # The frame selected is the test's own, one of the chain's outside lib/: gdb makes a
    # caller's inline frames from its pc - 1, which another compiler's code may put in fewer.
    test_functions = [name for name, place in zip(functions, places) if "/lib/" not in place]
    selected = re.search(r"^#\d+ +(?:0x[0-9a-f]+ in )?(\w+) \(", result.stdout, re.M)
    assert selected and selected.group(1) in test_functions, (test_functions, out)


def test_no_debug_register_left_for_gdbs_own_stop_is_said_in_one_line(kvm_tree):
    """Four hbreaks of the user's take x86's four debug registers; `next` over
    a call then needs one more for gdb's own stop, and gdb aborts it."""
    hbreaks = []
    for function in ("puts", "printf", "exit", "malloc"):
        hbreaks += ["--ex", "hbreak " + function]
    result, out = run_kut_debug(kvm_tree, hbreaks + ["--ex", "next", "sieve"])
    skip_where_the_guest_took_the_debug_exception(kvm_tree, "sieve", out)
    if gdb_major() < 11:
        pytest.skip("gdb 10's Python has no hardware breakpoints")
    # gdb's own words: QEMU 7.2 takes the breakpoint and gdb finds no register; QEMU 10 refuses.
    assert re.search(r"Could not insert hardware breakpoints|Remote failure reply: 22", out), out
    assert ("kut-debug: under KVM gdb's own stops (next or step over a call, finish, until, "
            "advance) take a debug register each, as hbreak and watch do, and none was left: "
            "delete a breakpoint or watchpoint of yours (info breakpoints)") in out, out
