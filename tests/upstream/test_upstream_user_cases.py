"""Cases tried as a new user would, on real upstream kvm-unit-tests images:
real QEMU started by the tree's run script (or kut-debug), real gdb-multiarch."""

import glob
import os
import re
import signal
import subprocess
import time

import pytest

import upstream
from upstream import KUT_DEBUG
from run_cases import CASES, assert_stopped_in_main, run
from run_script import PausedRun, script_run
from session import run_gdb

MAIN_HITS = re.compile(r"^Breakpoint 1, (?:0x[0-9a-f]+ in )?main \(", re.M)


@pytest.mark.parametrize("config", sorted(CASES))
def test_kut_load_after_monitor_system_reset_stops_at_main_again(config):
    """gdb keeps the registers of the stop at main across a reset it did not
    see; the next continue must start from the reset, not from main."""
    tree = upstream.tree(config)
    script, kernel, args, elf = CASES[config]
    with PausedRun(tree, config, script, kernel, args) as paused:
        out = run_gdb(paused.port, ["kut-load", "break main", "continue",
                                    "monitor system_reset", "kut-load", "continue", "bt"],
                      cwd=tree, timeout=240)
    if config in ("x86_64", "i386"):
        # x86/run passes --no-reboot: the reset ends QEMU, and kut-load says so.
        assert len(MAIN_HITS.findall(out)) == 1, out
        assert re.search(r"^the connection to QEMU closed while kut-load read the target "
                         r"\(.*\); QEMU exited or dropped gdb \(x86/run's --no-reboot makes a "
                         r"reset end QEMU\): start it again and run 'target remote'$", out,
                         re.M), out
        assert "Python Exception" not in out, out
        return
    assert len(MAIN_HITS.findall(out)) == 2, out
    assert_stopped_in_main(out, "%s/%s" % (tree, elf))


def test_kill_then_target_remote_to_a_new_qemu_stops_at_main():
    tree = upstream.tree("riscv64")
    script, kernel, args, elf = CASES["riscv64"]
    with PausedRun(tree, "riscv64", script, kernel, args) as first, \
            PausedRun(tree, "riscv64", script, kernel, args) as second:
        out = run_gdb(first.port, ["kut-load", "break main", "continue", "kill",
                                   "target remote 127.0.0.1:%d" % second.port, "kut-load",
                                   "continue", "bt"], cwd=tree, timeout=240)
    assert len(MAIN_HITS.findall(out)) == 2, out
    assert_stopped_in_main(out, "%s/%s" % (tree, elf))


def kut_debug(tree, args, env=None, timeout=300, nx=True):
    result = subprocess.run(["nice", os.path.normpath(KUT_DEBUG)] + (["--nx"] if nx else []) + args,
                            cwd=tree,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=env, timeout=timeout)
    return result, result.stdout + result.stderr


def tcg_environment():
    return dict(os.environ, ACCEL="tcg")


def test_msr_that_triple_faults_after_its_fail_is_not_said_to_reach_its_end():
    """x86/msr under TCG: after its FAIL the guest triple-faults, and x86/run's
    --no-reboot makes QEMU exit 0 with no SUMMARY line."""
    tree = upstream.tree("x86_64")
    result, out = kut_debug(tree, ["--batch", "--fail", "--ex", "continue", "msr"],
                            env=tcg_environment())
    assert "kut-break-fail: unexpected failure 1 (FAIL or XPASS)" in out, out
    assert re.search(r"^kut-break-fail: the test did not reach its end: QEMU exited with status 0 "
                     r"after 1 stop before report_summary, and the console file has no SUMMARY "
                     r"line; its last line: \S.*$", result.stdout, re.M), out
    assert "ran to its end" not in out and "no further" not in out, out
    assert "nothing failed" not in out.lower(), out


def test_guest_that_ends_during_a_continue_is_one_kut_debug_line():
    """arm/gic ends through the testdev chardev: QEMU closes gdb's connection."""
    tree = upstream.tree("arm64")
    result, out = kut_debug(tree, ["--batch", "--ex", "continue", "--ex", "bt", "gicv2-mmio-up"])
    assert re.search(r"^Breakpoint 1, main \(", result.stdout, re.M), out
    assert re.findall(r"^.*(?:ended|closed|not run|Error).*$", out, re.M) == [
        "kut-debug: the guest ended during 'continue': Remote connection closed",
        "kut-debug: not run, as the guest ended during 'continue': bt"], out


def test_kut_break_fail_after_the_guest_exited_is_one_line():
    tree = upstream.tree("x86_64")
    script, kernel, args, _ = CASES["x86_64"]
    with PausedRun(tree, "x86_64", script, kernel, args) as paused:
        out = run_gdb(paused.port, ["kut-load", "continue", "kut-break-fail"], cwd=tree,
                      timeout=240)
    assert "exited normally" in out, out
    assert "Python Exception" not in out and "Error occurred in Python" not in out, out
    assert re.search(r"^no guest is connected \(Cannot access memory at address 0x[0-9a-f]+\): "
                     r"the test has ended or QEMU is gone; start it again, 'target remote' and "
                     r"kut-load, then kut-break-fail$", out, re.M), out


def test_sigterm_to_kut_debug_while_the_guest_runs_is_one_line(tmp_path):
    tree = upstream.tree("arm64")
    sieve = ["qemu-system-aarch64", "-nodefaults", "-machine", "virt", "-accel", "tcg", "-cpu",
             "cortex-a57", "-display", "none", "-serial", "stdio", "-kernel", "arm/sieve.flat"]
    output = tmp_path / "out"
    with open(output, "w") as out_file:
        session = subprocess.Popen([os.path.normpath(KUT_DEBUG), "--nx", "--fail", "--"] + sieve,
                                   cwd=tree, stdin=subprocess.DEVNULL, stdout=out_file,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "kut-break-fail: " not in output.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # the guest runs: gdb waits in continue
        session.send_signal(signal.SIGTERM)
        assert session.wait(30) == 128 + signal.SIGTERM
    finally:
        session.kill()
        session.wait()
    out = output.read_text()
    assert "kut-break-fail: the test has no report() checks" in out, out
    assert out.splitlines()[-1] == "kut-debug: ended by SIGTERM; gdb and QEMU are stopped", out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
    assert "Cannot execute this command" not in out and "Python Exception" not in out, out


def test_run_script_console_keeps_the_guest_output_whole():
    """x86/run reopens its stdout (/dev/fd/N) and tees QEMU's stderr: with the
    console a plain file, QEMU's "terminating on signal 15" overwrote the
    guest's first lines."""
    tree = upstream.tree("x86_64")
    result, out = kut_debug(tree, ["--batch", "msr"], env=tcg_environment())
    assert re.search(r"^Breakpoint 1, main \(", result.stdout, re.M), out
    with open(os.path.join(tree, "logs", "msr.console"), errors="replace") as console:
        lines = console.read().splitlines()
    assert lines[0].startswith("/usr/bin/qemu-system-x86_64 "), lines
    assert "-kernel x86/msr.flat" in lines[0], lines
    assert lines[1:3] == ["enabling apic", "smp: waiting for 0 APs"], lines


def test_temporary_console_files_do_not_pile_up(tmp_path):
    tree = upstream.tree("arm64")
    sieve = ["qemu-system-aarch64", "-nodefaults", "-machine", "virt", "-accel", "tcg", "-cpu",
             "cortex-a57", "-display", "none", "-serial", "stdio", "-kernel", "arm/selftest.flat",
             "-append", "setup"]
    env = dict(os.environ, TMPDIR=str(tmp_path))
    for _ in range(2):
        result, out = kut_debug(tree, ["--batch", "--"] + sieve, env=env)
        assert re.search(r"^Breakpoint 1, main \(", result.stdout, re.M), out
        assert re.search(r"its console output goes to %s/kut-debug-\S+\.console \(removed when "
                         r"the session ends; --console FILE keeps it\)$" % re.escape(str(tmp_path)),
                         result.stderr, re.M), out
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("setting", ["set scheduler-locking on", "set non-stop on"])
def test_user_gdbinit_that_stops_other_vcpus_still_reaches_the_end(tmp_path, setting):
    """riscv/sbi runs on every vCPU (-smp $MAX_SMP): a continue that resumes
    only the selected one leaves the test waiting for the others."""
    tree = upstream.tree("riscv64")
    hook = ("define target hookpost-remote\n%s\nend\n" % setting if "scheduler" in setting
            else setting + "\n")
    (tmp_path / ".gdbinit").write_text(hook)
    env = dict(upstream.run_logs.environment("riscv64"), HOME=str(tmp_path))
    result, out = kut_debug(tree, ["--batch", "--break", "report_summary", "--ex",
                                   "show scheduler-locking", "sbi"], env=env, timeout=200, nx=False)
    assert re.search(r"^(?:Thread \d+ hit )?Breakpoint 1, report_summary \(", result.stdout,
                     re.M), out
    if "scheduler" in setting:
        assert out.count("kut-debug: scheduler-locking is on, which keeps the other vCPUs "
                         "stopped: kut-debug's continue runs them all") == 1, out
        # The user's setting is back once kut-debug's continue is done.
        assert 'Mode for locking scheduler during execution is "on".' in out, out
    else:
        assert re.search(r"^kut-debug: non-stop is on in your gdb settings, and QEMU's gdb "
                         r"stub does not support it \(.*\): connecting in all-stop mode$", out,
                         re.M), out


def test_relative_elf_name_is_looked_up_where_bare_kut_load_looks(tmp_path):
    """gdb started in another directory than QEMU: a relative name is QEMU's too."""
    tree = upstream.tree("arm64")
    script, kernel, args, elf = CASES["arm64"]
    with PausedRun(tree, "arm64", script, kernel, args) as paused:
        out = run_gdb(paused.port, ["kut-load arm/psic.elf", "kut-load psci.elf",
                                    "kut-load arm/gic.o", "kut-load arm/gic.elf",
                                    "break main", "continue", "bt"], cwd=str(tmp_path))
    assert ("arm/psic.elf: no such file in %s nor %s; did you mean arm/psci.elf?"
            % (tmp_path, tree)) in out, out
    # A bare name is answered with the file of that name one directory down.
    assert ("psci.elf: no such file in %s nor %s; did you mean arm/psci.elf?"
            % (tmp_path, tree)) in out, out
    assert ("%s/arm/gic.o is a relocatable object (ET_REL), not a linked test image; give "
            "the test's .elf file" % tree) in out, out
    assert "kut-load: %s/arm/gic.elf at 0x40080000" % tree in out, out
    assert_stopped_in_main(out, os.path.join(tree, elf))


def test_names_a_new_user_gets_wrong_give_the_near_ones():
    tree = upstream.tree("arm64")
    result, out = kut_debug(tree, ["gic"])
    assert result.returncode == 1, out
    assert re.search(r"^kut-debug: arm/unittests.cfg has no test gic, and there is no "
                     r"logs/gic.log; tests whose names contain it: gicv2-\S+, .*gicv2-mmio-up",
                     result.stderr, re.M), out
    result, out = kut_debug(tree, ["arm/gic.flat"])
    assert result.returncode == 1, out
    assert re.search(r"^kut-debug: arm/gic.flat is the test image; give its log \(logs/TEST.log\) "
                     r"or its test name \(.*gicv2-mmio-up.*\), or a QEMU command after --$",
                     result.stderr, re.M), out
    result, out = kut_debug(tree, ["--fial", "gicv2-mmio-up"])
    assert result.returncode == 1, out
    assert result.stderr == ("kut-debug: unrecognized arguments: --fial (did you mean --fail?); "
                             "see kut-debug --help\n"), out
    result, out = kut_debug(tree, ["--version"])
    assert result.returncode == 0 and re.match(r"kut-debug \d+\.\d+\.\d+$", result.stdout), out
    script, kernel, args, _ = CASES["arm64"]
    with PausedRun(tree, "arm64", script, kernel, args) as paused:
        out = run_gdb(paused.port, ["kut-load --adress 0x40080000", "kut-load --dr",
                                    "complete kut-load --dr"], cwd=tree)
    assert "unknown option '--adress' (did you mean --address?); see 'help kut-load'" in out, out
    assert "unknown option '--dr' (did you mean --dry-run?); see 'help kut-load'" in out, out
    assert re.search(r"^kut-load --dry-run$", out, re.M), out


def test_tab_completion_offers_the_test_files_kut_load_takes_and_its_options():
    """gdb's complete, as TAB: after kut-load, the tree's ELF test files, never
    the .flat beside each (kut-load cannot take it); an option by its start."""
    tree = upstream.tree("arm64")
    elfs = {"kut-load " + os.path.relpath(path, tree)
            for path in glob.glob(os.path.join(tree, "arm", "*.elf"))}
    assert elfs and glob.glob(os.path.join(tree, "arm", "*.flat")), tree
    out = run_gdb(None, ["complete kut-load arm/", "complete kut-load --dr"], cwd=tree,
                  connect=False)
    lines = out.splitlines()
    assert elfs <= set(lines), sorted(elfs - set(lines))
    assert not [line for line in lines if line.endswith(".flat")], out
    assert "kut-load --dry-run" in lines, out


def test_kut_load_auto_on_in_the_users_gdbinit_loads_once_under_kut_debug(tmp_path):
    tree = upstream.tree("arm64")
    gdbinit = os.path.join(os.path.dirname(upstream.HERE), os.pardir, "gdbinit")
    (tmp_path / ".gdbinit").write_text("source %s\nset kut-load auto on\n"
                                       % os.path.normpath(gdbinit))
    result, out = kut_debug(tree, ["--batch", "--ex", "show kut-load auto", "gicv2-mmio-up"],
                            env=dict(os.environ, HOME=str(tmp_path)), nx=False)
    assert re.search(r"^Breakpoint 1, main \(", result.stdout, re.M), out
    assert len(re.findall(r"^kut-load: ", result.stdout, re.M)) == 1, out
    assert "Automatic kut-load when gdb connects to QEMU is on." in out, out


def test_the_tests_own_so_as_main_file_is_named_as_the_same_test():
    """gdb-multiarch x86/sieve.so, then kut-load: X.efi.debug is the DWARF of X.so."""
    tree = upstream.tree("x86_64-efi")
    running = script_run("x86_64-efi", "x86/efi/run", "x86/sieve.efi")
    try:
        running.attach()
        out = run_gdb(running.port, ["file x86/sieve.so",
                                     "target remote 127.0.0.1:%d" % running.port, "kut-load"],
                      cwd=tree, timeout=240, connect=False)
    finally:
        running.close()
    assert re.search(r"^kut-load: gdb's main file \S*x86/sieve.so is this test's own build of "
                     r"\S*x86/sieve.efi.debug, read at its link address; replaced it$", out,
                     re.M), out
    assert "another test" not in out, out


@pytest.mark.parametrize("config, other, expected", [
    ("i386", "x86_64", r"^\S+/x86/msr.elf is a 64-bit ELF, but QEMU is qemu-system-i386, whose "
                       r"guest runs 32-bit code only; give the ELF of the i386 build$"),
    ("ppc64le", "ppc64be", r"^\S+/powerpc/selftest.elf is big-endian, but QEMU runs "
                           r"powerpc/selftest.elf, which is little-endian; give the ELF of the "
                           r"little-endian build$"),
])
def test_elf_of_another_kind_of_guest_is_refused_naming_the_kind(config, other, expected):
    tree = upstream.tree(config)
    script, kernel, args, elf = CASES[config]
    with PausedRun(tree, config, script, kernel, args) as paused:
        out = run_gdb(paused.port, ["kut-load %s" % os.path.join(upstream.tree(other), elf),
                                    "info sharedlibrary", "show endian"], cwd=tree)
    assert re.search(expected, out, re.M), out
    assert "kut-load: " not in out, out
    assert "currently little endian" in out, out


def test_kut_load_again_once_riscv_turned_its_mmu_on_names_the_way():
    """riscv64's setup maps no boot code at 0x1000 once its MMU is on: the second
    kut-load says to give the last base, and that base loads."""
    out, elf = run_riscv64(["kut-load", "break main", "continue", "kut-load",
                            "kut-load --address $kut_base", "bt"])
    first = re.search(r"^kut-load: \S+ at (0x[0-9a-f]+) \(offset", out, re.M)
    assert first, out
    assert re.search(r"^cannot read \d+ bytes of target memory at 0x1000: .*; once the guest has "
                     r"turned its MMU on, the boot code is no longer mapped: give --address "
                     r"\$kut_base \(%s, where the last kut-load put the test\)$" % first.group(1),
                     out, re.M), out
    assert re.search(r"^kut-load: \S+ at %s \(offset %s\), given with --address$"
                     % (first.group(1), first.group(1)), out, re.M), out
    assert_stopped_in_main(out, elf)


def run_riscv64(commands):
    return run("riscv64", commands)
