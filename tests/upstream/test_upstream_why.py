"""kut-debug --why on upstream tests: the check it names is the log's FAIL
line's (fail_check reads the log and the source), and every value it shows
is the one gdb's own `print` reads in the same frame."""

import os
import re
import shlex
import subprocess

import pytest

import fail_check
import upstream
from dwarf_oracle import symbol_value
from upstream import KUT_DEBUG

MARK = "kut-test-mark"
SHOWN = re.compile(r"^kut-why:   (.+?) = (0x[0-9a-f]+) \((-?\d+)\)$", re.M)


def why(config, test, prints, more=(), options=()):
    tree = upstream.tree(config)
    log = upstream.logs(config, [test])[test]
    args = ["--nx", "--batch", "--why"] + list(options) + ["--ex", "echo %s\\n" % MARK]
    for expression in prints:
        args += ["--ex", "print/d " + expression]
    for command in more:
        args += ["--ex", command]
    env = {name: value for name, value in os.environ.items() if name != "ACCEL"}
    done = subprocess.run([KUT_DEBUG] + args + [log], cwd=tree, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    # The first stop's (a later continue makes another).
    verdict = fail_check.check_stop(out.split(MARK + "\n")[0], tree, log)
    assert verdict.outcome.startswith("stopped at FAIL"), (verdict.where, verdict.detail, out)
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


READ = re.compile(r"^kut-why:   an? (\d+)-bit read of (0x[0-9a-f]+), QEMU's (\S+) "
                  r"\+ (0x[0-9a-f]+), "
                  r"answered (0x[0-9a-f]+) \(`([^`]*)` at (0x[0-9a-f]+), .*\)$", re.M)
WRITE = re.compile(r"^kut-why:   the last write there before it: (\S+):(\d+) in \S+ wrote "
                   r"(0x[0-9a-f]+) "
                   r"to (0x[0-9a-f]+), (\d+) bits \(`([^`]*)` at (0x[0-9a-f]+), .*\)$", re.M)
# QEMU's `info mtree -f`: "  0000000008000000-0000000008000fff (prio 0, i/o): gic_dist".
REGION = r"^\s*([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, i/o\): %s$"


def last_line_before(lines, before, pattern):
    return max(number for number, line in enumerate(lines[:before - 1], 1)
               if re.search(pattern, line))


def elf_place(elf, pc):
    """The lines of pc's inline chain, innermost first (binutils' addr2line -i),
    and the instruction there (gdb-multiarch reading the ELF alone)."""
    found = subprocess.run(["addr2line", "-i", "-e", elf, "%#x" % pc], capture_output=True,
                           text=True, check=True).stdout.split()
    lines = [int(place.rpartition(":")[2]) for place in found if ":" in place]
    shown = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", "x/i %#x" % pc, elf],
                           capture_output=True, text=True, check=True).stdout
    return lines, " ".join(shown.split(":", 1)[1].split())


def test_gicv2_mmio_up_goes_back_from_reg_to_the_gic_read_and_the_write_before_it():
    """The seed's chain, in the run kut-debug --why records: reg was set on
    the source's last `reg =` line before the check, by a 32-bit load that
    QEMU's gic_dist answered with the log's read-back value, after a store of
    the source's pattern constant to the same address. Lines per addr2line,
    instructions per the ELF's disassembly, the region per `info mtree -f`;
    afterwards the session is where it was: continue stops at FAIL 2."""
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]
    with open(os.path.join(tree, "arm", "gic.c")) as source:
        lines = source.read().splitlines()
    check = next(number for number, line in enumerate(lines, 1)
                 if "register content preserved" in line and "report(" in line)
    setting = last_line_before(lines, check, r"^\s*reg = ")
    writing = last_line_before(lines, setting, r"\bwritel\(pattern, ")
    pattern = int(re.search(r"pattern = (0x[0-9a-fA-F]+);",
                            lines[last_line_before(lines, writing, r"pattern = 0x") - 1]).group(1),
                  16)
    with open(log) as logged:
        read_back = int(re.search(r"reads back as ([0-9a-f]{8})", logged.read()).group(1), 16)
    tree, said, _, out = why("arm64", "gicv2-mmio-up", [], more=[
        "p/x &main", "monitor info mtree -f", "frame", "continue"])
    printed = out.partition(MARK + "\n")[2]
    assert re.search(r"^kut-why: reg = %#x \(%d\) was set at arm/gic.c:%d: reg = readl\("
                     % (read_back, read_back, setting), said, re.M), out
    read = READ.search(said)
    assert read, out
    bits, address, region, offset, answered, instruction, pc = read.groups()
    assert (int(bits), int(answered, 16)) == (32, read_back), out
    start = re.search(REGION % re.escape(region), printed, re.M).group(1)
    assert int(address, 16) == int(start, 16) + int(offset, 16), out
    elf = os.path.join(tree, "arm", "gic.elf")
    relocation = int(re.search(r"^\$\d+ = (0x[0-9a-f]+)$", printed, re.M).group(1), 16) \
        - symbol_value(elf, "main")
    chain, disassembled = elf_place(elf, int(pc, 16) - relocation)
    assert setting in chain and disassembled.startswith("ldr"), (chain, disassembled, out)
    assert disassembled == instruction, out
    write = WRITE.search(said)
    assert write, out
    path, line, value, written, bits, instruction, pc = write.groups()
    assert (path, int(line), int(value, 16), written, int(bits)) == (
        "arm/gic.c", writing, pattern, address, 32), out
    chain, disassembled = elf_place(elf, int(pc, 16) - relocation)
    assert writing in chain and disassembled.startswith("str"), (chain, disassembled, out)
    # Where the user was: the test's frame at the check, and the next stop is FAIL 2's.
    assert re.search(r"^#\d+ .* test_targets .* at arm/gic.c:%d$" % check, printed, re.M), out
    assert "unexpected failure 2 " in printed, out


def test_a_condition_variable_is_followed_to_the_read_that_set_it_not_matched_by_value():
    """FAIL 2 of gicv2-mmio-up: res = (reg == ...) is false (0), and reg's
    readl() on the line before answered 0 too. The read belongs to reg, one
    level down, with the byte write before it; a read is never pinned on res
    for holding the same value. Lines per the source, the byte per its
    REPLACE_BYTE constant, the read's value per gdb's print of reg."""
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]
    with open(os.path.join(tree, "arm", "gic.c")) as source:
        lines = source.read().splitlines()
    check = next(number for number, line in enumerate(lines, 1)
                 if "byte writes successful" in line and "report(" in line)
    res_line = last_line_before(lines, check, r"^\s*res = \(reg ==")
    reg_line = last_line_before(lines, res_line, r"^\s*reg = readl\(base_addr\);")
    byte_line = last_line_before(lines, reg_line, r"\bwriteb\(")
    byte = int(re.search(r"REPLACE_BYTE\(pattern, 2, (0x[0-9a-fA-F]+)\)",
                         lines[last_line_before(lines, byte_line, r"REPLACE_BYTE") - 1]).group(1),
               16)
    env = {name: value for name, value in os.environ.items() if name != "ACCEL"}
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "--why", "--fail-at", "2", "--ex",
                           "print/d reg", log], cwd=tree, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    reg = int(re.findall(r"^\$\d+ = (-?\d+)$", done.stdout, re.M)[-1])
    said = [line for line in done.stdout.splitlines() if line.startswith("kut-why:")]
    at = next(index for index, line in enumerate(said)
              if line.startswith("kut-why: res = ") and "arm/gic.c:%d:" % res_line in line)
    # Nothing at res's own level is a device access: its line reads no device.
    own = [line for line in said[at + 1:] if re.match(r"^kut-why:   \S", line)]
    assert not [line for line in own if " read of " in line or "last write" in line], out
    deeper = [line[len("kut-why:   "):] for line in said[at + 1:]
              if line.startswith("kut-why:   ")]
    assert "reg = %#x (%d) was set at arm/gic.c:%d: reg = readl(base_addr);" % (
        reg, reg, reg_line) in deeper, out
    read = re.search(r"^  a 32-bit read of (0x[0-9a-f]+), QEMU's gic_dist \+ 0x[0-9a-f]+, "
                     r"answered (0x[0-9a-f]+) ", "\n".join(deeper), re.M)
    assert read and int(read.group(2), 16) == reg, out
    write = re.search(r"^  the last write there before it: arm/gic.c:(\d+) in test_byte_access "
                      r"wrote (0x[0-9a-f]+) to (0x[0-9a-f]+), 8 bits", "\n".join(deeper), re.M)
    assert write and (int(write.group(1)), int(write.group(2), 16)) == (byte_line, byte), out
    assert int(write.group(3), 16) == int(read.group(1), 16) + 2, out


def qemu_major():
    shown = subprocess.run(["qemu-system-aarch64", "--version"], capture_output=True,
                           text=True, check=True).stdout
    return int(re.search(r"version (\d+)\.", shown).group(1))


def device_trace_of_a_run(tree, log, work):
    """QEMU's trace of every device access of the logged run, run again
    outside kut-debug (its log in the directory work): [(write, address,
    value, size)] in order."""
    with open(log) as logged:
        line = next(line for line in logged if "qemu-system-" in line and " -kernel " in line)
    words = shlex.split(line.split(" # ")[0])
    argv = words[next(index for index, word in enumerate(words) if "qemu-system-" in word):]
    trace_file = os.path.join(work, "trace.log")
    done = subprocess.run(argv + ["-d", "trace:memory_region_ops_*", "-D", trace_file],
                          cwd=tree, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    assert os.path.exists(trace_file), (argv, done.stdout[-2000:], done.stderr[-2000:])
    with open(trace_file) as traced:
        found = re.findall(r"memory_region_ops_(read|write) cpu \d+ mr \S+ addr (0x[0-9a-f]+) "
                           r"value (0x[0-9a-f]+) size (\d+)", traced.read())
    return [(kind == "write", int(address, 16), int(value, 16) & ((1 << 8 * int(size)) - 1),
             int(size)) for kind, address, value, size in found]


def test_a_device_write_lines_before_the_read_is_found_going_back(tmp_path):
    """kut-why VARIABLE at a line of the seed's test_byte_access: reg is set by a
    byte read whose last write is in another function, test_priorities. The
    write is the last one touching the read's bytes before the first such
    read in QEMU's own trace of the same test run again, and its line in the
    source writes that value."""
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]
    with open(os.path.join(tree, "arm", "gic.c")) as source:
        lines = source.read().splitlines()
    declared = next(number for number, line in enumerate(lines, 1)
                    if re.search(r"\bu32 reg = readb\(base_addr \+ 1\);", line))
    env = {name: value for name, value in os.environ.items() if name != "ACCEL"}
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "--record", "--break",
                           "arm/gic.c:%d" % (declared + 1), "--ex", "kut-why reg", log],
                          cwd=tree, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert re.search(r"^kut-why: reg = .* was set at arm/gic.c:%d: " % declared, out, re.M), out
    read = READ.search(out)
    assert read, out
    bits, address, _, _, answered = read.groups()[:5]
    accesses = device_trace_of_a_run(tree, log, str(tmp_path))
    read_index = next(index for index, access in enumerate(accesses)
                      if not access[0] and access[1] == int(address, 16)
                      and 8 * access[3] == int(bits))
    assert accesses[read_index][2] == int(answered, 16), out
    if qemu_major() < 7:  # its replay reports no watchpoint hit: said, not looked for
        assert re.search(r"^kut-why:   the last write before it is not looked for: QEMU \d+'s "
                         r"replay reports no watchpoint hit$", out, re.M), out
        return
    write = WRITE.search(out)
    assert write, out
    path, line, value, written, write_bits = write.groups()[:5]
    last_write = [access for access in accesses[:read_index] if access[0]
                  and access[1] < int(address, 16) + int(bits) // 8
                  and int(address, 16) < access[1] + access[3]][-1]
    assert last_write == (True, int(written, 16), int(value, 16), int(write_bits) // 8), out
    assert path == "arm/gic.c" and re.search(r"\bwritel\(", lines[int(line) - 1]), out


def test_x86_64_msr_goes_back_from_vector_to_the_line_whose_wrmsr_set_it():
    """x86's replay_seek does not replay, so kut-why replays the recording
    again from its start. vector is followed to the last line above the check
    that assigns it (the source), with the log's "got vector N"; that line's
    code runs a wrmsr (the ELF's disassembly, its place per addr2line -i);
    afterwards the test's frame at the check is where it was."""
    tree = upstream.tree("x86_64")
    log = upstream.logs("x86_64", ["msr"])["msr"]
    with open(log) as logged:
        got = int(re.search(r"^FAIL: .*got vector (\d+)$", logged.read(), re.M).group(1))
    tree, said, _, out = why("x86_64", "msr", [], more=["bt"])
    check = re.search(r"^kut-why: the check at x86/msr.c:(\d+): report\(vector ", said, re.M)
    assert check, out
    with open(os.path.join(tree, "x86", "msr.c")) as source:
        lines = source.read().splitlines()
    setting = last_line_before(lines, int(check.group(1)), r"\bvector = ")
    found = re.search(r"^kut-why: vector = (0x[0-9a-f]+) \((\d+)[^)]*\) was set at "
                      r"x86/msr.c:(\d+): (.*)$", said, re.M)
    assert found, out
    assert (int(found.group(1), 16), int(found.group(3))) == (got, setting), out
    assert lines[setting - 1].strip() in found.group(4), out
    elf = os.path.join(tree, "x86", "msr.elf")
    dumped = subprocess.run(["objdump", "-d", elf], capture_output=True, text=True,
                            check=True).stdout
    wrmsrs = [int(pc, 16) for pc in re.findall(r"^\s*([0-9a-f]+):.*\twrmsr", dumped, re.M)]
    assert any(setting in elf_place(elf, pc)[0] for pc in wrmsrs), out
    printed = out.partition(MARK + "\n")[2]
    assert re.search(r"^#\d+ .* test_wrmsr_fault .* at x86/msr.c:%s$" % check.group(1),
                     printed, re.M), out


def test_riscv64_goes_back_through_compound_assignments_to_the_first_line_that_set_r(tmp_path):
    """riscv64 selftest, recorded with one CPU, stopped at report(r, "command
    line parsing"): r is followed up the source's `r &=` lines to the `r =`
    line, each the last assigning r above the one before; kut-why leaves the
    replay at the same instruction count, in the same frame, with the
    breakpoint's hit count as it was."""
    tree = upstream.tree("riscv64")
    with open(os.path.join(tree, "riscv", "selftest.c")) as source:
        lines = source.read().splitlines()
    check = next(number for number, line in enumerate(lines, 1)
                 if re.search(r'report\(r, "command line parsing"\)', line))
    expected, line = [], check
    for _ in range(3):
        line = last_line_before(lines, line, r"\br &?= ")
        expected.append(line)
    env = {name: value for name, value in os.environ.items() if name != "ACCEL"}
    env.update(MAX_SMP="1", TARGET_CPU_OVERRIDE="rv64")
    commands = ["monitor info replay", "kut-why r", "monitor info replay", "info breakpoints",
                "frame"]
    args = [KUT_DEBUG, "--nx", "--batch", "--record", "--recording", str(tmp_path / "s.rr"),
            "--break", "riscv/selftest.c:%d" % check]
    for command in commands:
        args += ["--ex", command]
    done = subprocess.run(args + ["selftest"], cwd=tree, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    set_at = [int(number) for number in re.findall(
        r"^kut-why: +r = \S+ \(true\) was set at riscv/selftest.c:(\d+): ", out, re.M)]
    assert set_at == expected, out
    counts = re.findall(r"instruction count = (\d+)$", out, re.M)
    assert len(counts) == 2 and counts[0] == counts[1], out
    assert re.search(r"^\tbreakpoint already hit 1 time$", out, re.M), out
    assert re.search(r"^#0 .*main .* at riscv/selftest.c:%d$" % check, out, re.M), out


def test_s390x_spec_ex_names_the_check_in_the_helper_that_called_report():
    """s390x spec_ex's first FAIL: kut-break-fail selects the test's frame,
    whose line calls check_pgm_int_code(); the report() is in that helper.
    The operands' values are the log's "expected(N) == received(M)", and
    code is an argument (the replay started again finds the helper's start)."""
    tree = upstream.tree("s390x")
    log = upstream.logs("s390x", ["spec_ex"])["spec_ex"]
    with open(log) as logged:
        fails = [line for line in logged if line.startswith("FAIL: ")]
    number, found = next(((number, found) for number, found in (
        (number, re.search(r"expected\((\d+)\) == received\((\d+)\)", line))
        for number, line in enumerate(fails, 1)) if found), (None, None))
    if found is None:
        pytest.skip("this QEMU's spec_ex fails no program interrupt check")
    expected, received = map(int, found.groups())
    tree, said, _, out = why("s390x", "spec_ex", [], options=["--fail-at", str(number)])
    check = re.search(r"^kut-why: the check at (\S+):(\d+): report\((\w+) == ([\w.]+),", said,
                      re.M)
    assert check, out
    with open(os.path.join(tree, check.group(1))) as source:
        assert "report(" in source.read().splitlines()[int(check.group(2)) - 1], out
    shown = {name: int(decimal) for name, _, decimal in SHOWN.findall(said)}
    assert shown == {check.group(3): expected, check.group(4): received}, out
    assert re.search(r"^kut-why: %s = .*: an argument of check_pgm_int_code, set before it "
                     r"was called$" % check.group(3), said, re.M), out


def test_x86_64_pcid_names_both_folded_lines_where_gdb_has_no_value():
    """pcid-enabled's test_pcid_disabled: passed is optimised out at the check,
    and both lines that set it (the source's) have no code of their own (gdb's
    `info line` on the ELF alone): kut-why names both, and claims neither."""
    tree = upstream.tree("x86_64")
    with open(os.path.join(tree, "x86", "pcid.c")) as source:
        lines = source.read().splitlines()
    start = next(number for number, line in enumerate(lines, 1)
                 if re.search(r"\btest_pcid_disabled\(void\)", line))
    check = next(number for number, line in enumerate(lines[start:], start + 1)
                 if "report(passed" in line)
    setting = [number for number in range(start, check)
               if re.search(r"\bpassed = \d+;", lines[number - 1])]
    elf = os.path.join(tree, "x86", "pcid.elf")
    for number in setting:
        said = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex",
                               "info line x86/pcid.c:%d" % number, elf],
                              capture_output=True, text=True).stdout
        if "contains no code" not in said:
            pytest.skip("this build gives x86/pcid.c:%d code of its own" % number)
    _, said, _, out = why("x86_64", "pcid-enabled", [])
    found = re.search(r"^kut-why: passed = \(no value gdb can read at the check\): set at (.*), "
                      r"lines without code of their own", said, re.M)
    assert found, out
    named = sorted(int(number) for number in re.findall(r"x86/pcid.c:(\d+)", found.group(1)))
    assert named == setting, out
