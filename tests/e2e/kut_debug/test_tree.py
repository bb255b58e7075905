"""kut-debug in a kvm-unit-tests tree: the test runs through the tree's own
run script, with the environment run_tests.sh gives it, and stops in main.
The tree is tests/e2e/kvm_tree (scripts that behave as upstream's) with the
env sample guest, whose subtests run or skip by that environment."""

import os
import re
import shutil
import time

import pytest

from conftest import REPO
from guest_source import marker_line
from kut_debug_process import (assert_session_gone, read_until, run_kut_debug, start_kut_debug,
                               started)
from kvm_tree_copy import make_tree, run_tests

ENV_MAIN = os.path.join(REPO, "tests", "guests", "env", "main.c")
ENV_MAIN_LINE = marker_line("first line of main", ENV_MAIN)
SUBTEST = re.compile(r"^(PASS|SKIP|FAIL): .*$", re.M)
STOPPED_IN_MAIN = re.compile(r"Breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) "
                             r"at \S+/env/main\.c:%d" % ENV_MAIN_LINE)


@pytest.fixture
def tree(tmp_path):
    yield make_tree(tmp_path / "kvm-unit-tests")
    assert_session_gone(tmp_path / "kvm-unit-tests")


def subtests(text):
    return [match.group(0) for match in SUBTEST.finditer(text)]


def debug_to_the_end(tree, args, env=None):
    """kut-debug stopped in main, then the guest run to its end; returns
    (gdb's output, the console file's text)."""
    result = run_kut_debug(tree, ["--batch", "--ex", "continue"] + args, env=env)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert STOPPED_IN_MAIN.search(result.stdout), out
    _, _, console = started(result.stderr)
    with open(os.path.join(str(tree), console), errors="replace") as text:
        return out, text.read()


def test_log_run_has_the_environment_of_run_tests(tree):
    run_tests(tree, "env-errata")
    log = (tree / "logs" / "env-errata.log").read_text()
    assert "# -initrd /tmp/" in log.splitlines()[0], log
    logged = subtests(log)
    assert "PASS: env: guarded by ERRATA_9a1b2c3d4e5f" in logged, log  # TCG: ERRATA_FORCE=y
    out, console = debug_to_the_end(tree, ["logs/env-errata.log"])
    assert subtests(console) == logged, console
    assert "kut-debug: warning" not in out, out  # the run script started the log's command
    # The run script's environment file is gone with the session, as after run_tests.sh.
    initrd = re.search(r"-initrd (\S+)", console)
    assert initrd and not os.path.exists(initrd.group(1)), console


def test_a_log_from_another_command_is_warned_about(tree):
    run_tests(tree, "env-errata")
    log = tree / "logs" / "env-errata.log"
    log.write_text(log.read_text().replace(" -cpu max ", " -cpu cortex-a57 ", 1))
    out, _ = debug_to_the_end(tree, ["logs/env-errata.log"])
    assert "kut-debug: warning: ./arm/run did not start the QEMU command of the log: " \
           "word 8 is max, the log has cortex-a57\n" in out, out


def test_the_log_command_alone_would_lose_the_environment(tree, tmp_path):
    """The oracle above can fail: the same QEMU command without the tree's
    run script skips the subtests run_tests.sh ran."""
    run_tests(tree, "env-errata")
    shutil.copy(str(tree / "logs" / "env-errata.log"), str(tmp_path / "env-errata.log"))
    os.remove(str(tree / "config.mak"))  # not a configured tree any more
    out, console = debug_to_the_end(tree, [str(tmp_path / "env-errata.log")])
    assert "without the environment run_tests.sh gave the test" in out, out
    assert "SKIP: env: guarded by ERRATA_9a1b2c3d4e5f (ERRATA_9a1b2c3d4e5f not set)" in \
        subtests(console), console


def test_test_name_without_a_log(tree):
    assert not (tree / "logs").exists()
    run_tests(tree, "env-errata")
    expected = subtests((tree / "logs" / "env-errata.log").read_text())
    shutil.rmtree(str(tree / "logs"))
    _, console = debug_to_the_end(tree, ["env-errata"])
    assert subtests(console) == expected, console
    # run_tests.sh's fields: the smp expression and the -append value reached QEMU.
    assert " -smp 2 " in console or " -smp 1 " in console, console
    assert "-append errata check" in console, console


def test_verbose_shows_the_qemu_the_run_script_started(tree):
    result = run_kut_debug(tree, ["--batch", "-v", "env-errata"])
    line = re.search(r"^kut-debug: QEMU: (.*)$", result.stderr, re.M)
    assert line, result.stderr
    assert re.search(r"qemu-system-aarch64 -nodefaults -machine virt -accel tcg -cpu max "
                     r".* -kernel arm/env\.flat -smp \d -append 'errata check' "
                     r"-S -gdb tcp:127\.0\.0\.1:%d -initrd /tmp/\S+$" % started(result.stderr)[1],
                     line.group(1)), line.group(1)
    assert STOPPED_IN_MAIN.search(result.stdout), result.stdout + result.stderr


@pytest.mark.parametrize("name, message", [
    ("env-migration", "kut-debug: env-migration in arm/unittests.cfg is a migration test: "
                      "run_tests.sh runs two QEMUs and migrates the guest from one to the other "
                      "when it asks, and a single paused QEMU would wait for that forever; "
                      "kut-debug does not debug migration tests\n"),
    ("env-arm32", "kut-debug: env-arm32 in arm/unittests.cfg runs on arm only, and this tree "
                  "is built for arm64\n"),
    ("nosuch", "kut-debug: arm/unittests.cfg has no test nosuch, and there is no "
               "logs/nosuch.log\n"),
])
def test_refusals_are_one_line_and_start_nothing(tree, name, message):
    result = run_kut_debug(tree, ["--batch", name])
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


def test_run_script_refusal_is_reported(tree):
    result = run_kut_debug(tree, ["--batch", "env-errata"], env=dict(os.environ, ACCEL="kvm"))
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert result.stderr == ("kut-debug: ./arm/run exited at once: KVM is needed, but not "
                             "available on this host\n")


def test_sigkill_to_kut_debug_ends_the_run_script_and_its_qemu(tree, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    session = start_kut_debug(tree, ["--batch", "--ex", "python import time; time.sleep(60)",
                                     "env-errata"], env=dict(os.environ, TMPDIR=str(temp)))
    try:
        read_until(session.stdout, r"Breakpoint 1, main")

        def initrd_files():
            return [name for name in os.listdir(str(temp)) if name.startswith("tmp.")]

        assert len(initrd_files()) == 1  # the run script's -initrd file (mktemp)
        session.kill()
        session.wait()
        assert_session_gone(tree)
        deadline = time.monotonic() + 20  # the trap may still be running on a busy machine
        while initrd_files() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert initrd_files() == []  # the run script's EXIT trap ran
    finally:
        session.kill()
        session.wait()


# The lines Debian's QEMU writes without qemu-system-gui, above the command in a real log.
QEMU_MODULE_LINES = ("qemu: module ui-ui-gtk not found, do you want to install qemu-system-gui "
                     "package?\nqemu: module ui-ui-sdl not found, do you want to install "
                     "qemu-system-gui package?\n")


def without_accel():
    return {name: value for name, value in os.environ.items() if name != "ACCEL"}


def test_qemu_lines_above_the_command_are_not_the_command(tree):
    run_tests(tree, "env-errata")
    log = tree / "logs" / "env-errata.log"
    logged = subtests(log.read_text())
    log.write_text(QEMU_MODULE_LINES + log.read_text())
    out, console = debug_to_the_end(tree, ["logs/env-errata.log"])
    assert "kut-debug: warning" not in out, out
    assert subtests(console) == logged, console


def test_a_log_is_rerun_under_its_accelerator(tree):
    run_tests(tree, "env-errata", env=dict(os.environ, ACCEL="tcg,thread=single"))
    assert " -accel tcg,thread=single " in (tree / "logs" / "env-errata.log").read_text()
    out, _ = debug_to_the_end(tree, ["logs/env-errata.log"], env=without_accel())
    assert ("kut-debug: ACCEL=tcg,thread=single, the accelerator of the logged run "
            "(-accel tcg,thread=single); set ACCEL to run under another\n") in out, out
    assert "kut-debug: warning" not in out, out
    # ACCEL set by the user wins, and the difference from the log is named.
    out, _ = debug_to_the_end(tree, ["logs/env-errata.log"], env=dict(os.environ, ACCEL="tcg"))
    assert "the accelerator of the logged run" not in out, out
    assert "kut-debug: warning: ./arm/run did not start the QEMU command of the log: " \
           "word 6 is tcg, the log has tcg,thread=single\n" in out, out
