"""kut-debug --record and --replay on real upstream tests under QEMU's
record/replay: the stop at the failing check (fail_check reads the log and
the source), back to a line before it in the same recorded run, forward to
the same failure, and the same stops from the recording every time."""

import os
import re
import shlex
import subprocess
import time

import pytest

import fail_check
import run_logs
import upstream

KUT_DEBUG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "python", "kut-debug")
TIMEOUT = 300
FAILURE = re.compile(r"^kut-break-fail: unexpected failure (\d+) \(FAIL or XPASS\), at the check "
                     r"in (\S+) at (\S+)$", re.M)
RECORDED = re.compile(r"^kut-debug: recorded the run in [\d.]+ s into (\S+) \(\d+ KB\)", re.M)
STOPS = re.compile(r"^(?:kut-break-fail: unexpected failure .*|Breakpoint \d+, .*|\$\d+ = .*|"
                   r"\d+\t.*|Program received signal .*)$", re.M)


def kut_debug(tree, args):
    environ = {name: value for name, value in os.environ.items() if name != "ACCEL"}
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch"] + args, cwd=tree, env=environ,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)
    return done.returncode, done.stdout + done.stderr


def source_line(tree, path, text, before):
    """The number of the last line of path containing text above line `before`."""
    with open(os.path.join(tree, path)) as source:
        lines = source.read().splitlines()
    found = [number for number, line in enumerate(lines[:before - 1], 1) if text in line]
    assert found, (path, text)
    return found[-1]


def record_then_go_back(tmp_path, config, test, earlier_text, after_back,
                        back="reverse-continue"):
    """Records test's failing run, checks the stop at its first failure,
    then replays it twice: back (the back command) to the line with
    earlier_text above the failing check, the after_back commands, forward
    to the failure again."""
    tree = upstream.tree(config)
    log = upstream.logs(config, [test])[test]
    recording = str(tmp_path / (test + ".rr"))
    status, out = kut_debug(tree, ["--record", "--recording", recording, "--fail", log])
    assert status == 0, out
    assert RECORDED.search(out), out
    verdict = fail_check.check_stop(out, tree, log)
    assert verdict.outcome == "stopped at FAIL", (verdict.where, verdict.detail, out)
    first = FAILURE.search(out)
    assert first and first.group(1) == "1", out
    function, where = first.group(2), first.group(3)
    path, line = where.rsplit(":", 1)
    earlier = source_line(tree, path, earlier_text, int(line))
    commands = ["break %s:%d" % (path, earlier), back] + after_back + [
        "continue", "info line *$pc"]
    args = ["--replay", "--recording", recording, "--fail"]
    for command in commands:
        args += ["--ex", command]
    replays = [kut_debug(tree, args + [log]) for _ in range(2)]
    for status, out in replays:
        assert status == 0, out
        # gdb's stop line, or after kut-reverse-continue's line the frame there.
        back = re.search(r"^(?:Breakpoint 1, |#0  )(?:0x[0-9a-f]+ in )?%s \(.*\) at %s:(\d+)$"
                         % (re.escape(function), re.escape(path)), out, re.M)
        assert back, out
        # The line asked for, in the test's function, or where gdb placed its breakpoint.
        placed = re.search(r"^Breakpoint 1 at 0x[0-9a-f]+: file %s, line (\d+)\.$"
                           % re.escape(path), out, re.M)
        assert int(back.group(1)) == (int(placed.group(1)) if placed else earlier), out
        failures = FAILURE.findall(out)
        # The first stop, then after going back the same failure again, not the next one.
        assert failures == [("1", function, where)] * 2, out
    assert STOPS.findall(replays[0][1]) == STOPS.findall(replays[1][1])
    return replays[0][1]


def test_arm64_gicv2_mmio_up_back_to_the_write_that_made_reg_wrong(tmp_path):
    out = record_then_go_back(tmp_path, "arm64", "gicv2-mmio-up",
                              "writel(pattern, targetsptr + GIC_FIRST_SPI);",
                              ["next", "next", "print/x reg", "print/x pattern & cpu_mask"])
    # After the write and the read back, reg holds what the GIC returned, not the pattern.
    values = re.findall(r"^\$(\d+) = (0x[0-9a-f]+)$", out, re.M)
    assert values[0][1] == "0x0" and values[0][1] != values[1][1], out


def test_x86_64_msr_back_by_replaying_again_to_the_wrmsr_line(tmp_path):
    """x86's replay hangs in reverse-continue: kut-reverse-continue replays the
    recording again to the breakpoint's last stop before the failure (gdb
    places a breakpoint on the wrmsr line at the line after it); there gdb's
    reverse-stepi is refused in one line, and continue meets the same failure
    again."""
    out = record_then_go_back(tmp_path, "x86_64", "msr", "vector = wrmsr_safe(",
                              ["reverse-stepi"], back="kut-reverse-continue")
    assert re.search(r"^back to the last stop before instruction \d+: breakpoint 1 "
                     r"\(\S+\), at instruction \d+$", out, re.M), out
    assert re.search(r"^reverse-stepi would hang QEMU: QEMU's replay hangs in reverse-stepi "
                     r"and reverse-continue on i386:x86-64 .*; kut-reverse-stepi goes back by "
                     r"replaying the recording again$", out, re.M), out


def test_arm64_kut_reverse_commands_stop_where_gdbs_own_do(tmp_path):
    """On arm64 QEMU serves gdb's reverse commands: kut-reverse-stepi 3 and
    kut-reverse-continue (QEMU's replay_seek) stop at the pc and instruction
    count where three reverse-stepi and gdb's reverse-continue stop, from
    the first failure of the same recording."""
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]
    recording = str(tmp_path / "gic.rr")
    status, out = kut_debug(tree, ["--record", "--recording", recording, "--fail", log])
    assert status == 0, out
    place = ["monitor info replay", "print/x $pc"]

    def replayed(commands):
        args = ["--replay", "--recording", recording, "--fail"]
        for command in ["break test_targets"] + commands:
            args += ["--ex", command]
        status, out = kut_debug(tree, args + [log])
        assert status == 0, out
        counts = [int(count) for count in re.findall(r"instruction count = (\d+)$", out, re.M)]
        pcs = re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", out, re.M)
        return list(zip(counts, pcs)), out

    gdbs, out = replayed(place + ["reverse-stepi"] * 3 + place + ["reverse-continue"] + place)
    ours, out2 = replayed(place + ["kut-reverse-stepi 3"] + place + ["kut-reverse-continue"]
                          + place)
    assert len(gdbs) == 3 and gdbs[1][0] == gdbs[0][0] - 3, out
    assert ours == gdbs, (out, out2)


def refused(tmp_path, config, test, wanted):
    """kut-debug --record refuses test in one line containing wanted, quickly,
    without starting a session."""
    tree = upstream.tree(config)
    log = upstream.logs(config, [test])[test]
    started = time.monotonic()
    status, out = kut_debug(tree, ["--record", "--recording", str(tmp_path / "t.rr"),
                                   "--fail", log])
    assert status == 1, out
    lines = [line for line in out.splitlines() if line.startswith("kut-debug: ")
             and "ACCEL=" not in line]
    assert len(lines) == 1 and wanted in lines[0], out
    assert "waits for gdb" not in out and "recorded the run" not in out, out
    assert time.monotonic() - started < 60


def test_ppc64_sprs_is_refused_as_qemu_cannot_replay_it(tmp_path):
    refused(tmp_path, "ppc64le", "sprs", "qemu-system-ppc64: QEMU's replay of a pseries guest "
            "stops at once")


def test_arm64_watchpoint_in_reverse_stops_at_the_last_write(tmp_path):
    """From the second failure, a watchpoint on the counter and reverse-continue
    stop at the first failure's failures++ (QEMU skips the write just behind)."""
    if run_logs.qemu_version(run_logs.CONFIGURATIONS["arm64"][1]) < (7, 0):
        pytest.skip("QEMU before 7 (5.2 seen) reports no watchpoint hit while it replays")
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]
    recording = str(tmp_path / "gic.rr")
    status, out = kut_debug(tree, [
        "--record", "--recording", recording, "--fail-at", "2",
        "--ex", "watch -l *(unsigned int *)&'lib/report.c'::failures",
        "--ex", "reverse-continue", "--ex", "info line *$pc", "--ex", "print failures",
        "--ex", "delete 2", "--ex", "continue", log])
    assert status == 0, out
    assert re.search(r'^Line \d+ of "lib/report.c"', out, re.M), out
    assert re.search(r"^\$1 = 1$", out, re.M), out
    assert [number for number, _, _ in FAILURE.findall(out)] == ["2", "2"], out


def test_riscv64_sbi_on_two_cpus_is_refused_by_qemus_own_reason(tmp_path):
    """sbi's smp = $MAX_SMP: two CPUs here, as on every machine the tests run."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("MAX_SMP is 1 on a machine with one CPU: sbi records")
    refused(tmp_path, "riscv64", "sbi", "Record/replay feature is not supported for 'smp'")


def test_arm64_two_cpus_are_refused_by_qemus_own_reason(tmp_path):
    """gicv2-mmio (smp = $((($MAX_SMP < 8)?$MAX_SMP:8))): the run script's QEMU command is
    refused with QEMU's own message before the test runs."""
    refused(tmp_path, "arm64", "gicv2-mmio", "Record/replay feature is not supported for 'smp'")


def test_a_replay_run_past_its_end_says_how_to_replay_it_again(tmp_path):
    """QEMU ends a replay at the end of the recording: one line says so and
    names the command that replays the run again, and that command does."""
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]
    recording = str(tmp_path / "gicv2.rr")
    with open(log) as text:
        failures = sum(line.startswith("FAIL: ") for line in text)
    past_the_end = ["--ex", "continue"] * failures
    status, out = kut_debug(tree, ["--record", "--recording", recording, "--fail"] +
                            past_the_end + [log])
    said = re.search(r"^kut-debug: the replay reached the end of the recorded run, where QEMU "
                     r"ended it, so nothing goes back from here; `(.*)` replays the same run "
                     r"again$", out, re.M)
    assert said, out
    assert said.start() > out.index("exited normally"), out
    again = shlex.split(said.group(1))
    assert again[:2] == ["kut-debug", "--replay"], said.group(0)
    status, replayed = kut_debug(tree, again[1:])
    assert status == 0, replayed
    assert FAILURE.findall(replayed)[:1] == FAILURE.findall(out)[:1], (out, replayed)
    # Stopped at the failure when gdb detaches: no end of the replay to speak of.
    assert "the replay reached the end" not in replayed, replayed
