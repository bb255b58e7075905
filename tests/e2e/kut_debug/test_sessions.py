"""kut-debug end to end: a kvm-unit-tests tree with a log of the arm64 sample
guest, real QEMU, real gdb-multiarch; and no process of a session left after it."""

import os
import pty
import re
import select
import shutil
import signal
import socket
import time

import pytest

from conftest import guest_file
from guest_source import initial_value, marker_line
from kut_debug_process import (ARM64_LOG_LINE, KUT_DEBUG, QEMU, STARTED, assert_session_gone,
                               port_open, read_until, run_kut_debug, start_kut_debug, started)
from session import require

MAIN_LINE = marker_line("first line of main")
MIX_LINE = marker_line("inside mix")
MAGIC = "= %#x" % initial_value("sample_magic")
LOG_BODY = "sample: checksum 0x8989b849\n"
STOPPED_AT_MAIN = re.compile(r"Breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) at \S+/main\.c:%d"
                             % MAIN_LINE)


@pytest.fixture
def tree(tmp_path):
    """A kvm-unit-tests tree after ./run_tests.sh -v: logs/sample.log and the image."""
    require("qemu-system-aarch64")
    require("gdb-multiarch")
    os.mkdir(tmp_path / "logs")
    os.mkdir(tmp_path / "arm64")
    for name in ("sample.flat", "sample.elf"):
        os.symlink(guest_file("arm64", name), str(tmp_path / "arm64" / name))
    write_log(tmp_path, "sample", ARM64_LOG_LINE)
    yield tmp_path
    assert_session_gone(tmp_path)


def write_log(tree, name, first_line):
    (tree / "logs" / (name + ".log")).write_text(first_line + "\n" + LOG_BODY)


def child_pids(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as children:
        return [int(child) for child in children.read().split()]


def child_named(pid, name):
    for child in child_pids(pid):
        with open("/proc/%d/comm" % child) as comm:
            if comm.read().strip() == name[:15]:
                return child
    raise AssertionError("no %s under pid %d" % (name, pid))


def test_log_stops_at_main_with_globals(tree):
    result = run_kut_debug(tree, ["--batch", "--ex", "info line *$pc", "--ex",
                                  "print/x sample_magic", "logs/sample.log"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert STOPPED_AT_MAIN.search(result.stdout), out
    assert re.search(r'Line %d of "\S+main\.c"' % MAIN_LINE, result.stdout), out
    assert MAGIC in result.stdout, out
    qemu_pid, port, console = started(result.stderr)
    assert len(STARTED.findall(result.stderr)) == 1, out
    assert console == "logs/sample.console" and os.path.isfile(tree / console)
    assert_session_gone(tree, qemu_pid, port)


def test_test_name_and_another_breakpoint(tree):
    result = run_kut_debug(tree, ["--batch", "--break", "mix", "--ex", "bt", "sample"])
    out = result.stdout + result.stderr
    assert re.search(r"Breakpoint 1, mix \(.*\) at \S+main\.c:%d" % MIX_LINE, result.stdout), out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", result.stdout, re.M)
    assert frames[:3] == ["mix", "compute_checksum", "main"], out
    assert result.returncode == 0, out


def test_unknown_breakpoint_location_stops_before_the_guest_runs(tree):
    result = run_kut_debug(tree, ["--batch", "--break", "no_such_function", "--ex", "bt",
                                  "sample"])
    out = result.stdout + result.stderr
    assert 'Function "no_such_function" not defined.' in out, out
    assert "exited normally" not in out and "Breakpoint 1" not in out, out  # never continued
    assert "#0" not in result.stdout, out  # the commands after it did not run either
    assert "Error in sourced command file" not in out, out  # gdb's noise about the script
    assert re.search(r"^kut-debug: no breakpoint at no_such_function, so the guest is not run "
                     r"further; give --break a function or FILE:LINE of the test$", out, re.M), out
    assert "kut-debug: not run, as 'break no_such_function' failed: bt" in out, out
    assert result.returncode == 1, out  # as gdb -batch ends after a failed command


def test_a_failing_command_of_the_users_is_its_error_and_the_next_one_runs(tree):
    result = run_kut_debug(tree, ["--batch", "--ex", "print no_such_symbol", "--ex",
                                  "print/x sample_magic", "sample"])
    out = result.stdout + result.stderr
    assert STOPPED_AT_MAIN.search(result.stdout), out
    assert 'No symbol "no_such_symbol" in current context.' in result.stderr, out
    assert MAGIC in result.stdout, out
    assert "Error in sourced command file" not in out, out
    assert result.returncode == 0, out
    # The last command failing is gdb -batch's status 1.
    result = run_kut_debug(tree, ["--batch", "--ex", "print no_such_symbol", "sample"])
    assert result.returncode == 1, result.stdout + result.stderr


def test_console_goes_to_the_file_not_to_gdb(tree):
    # riscv/run style: -nographic muxes the serial port and the monitor on stdio.
    write_log(tree, "nographic", ARM64_LOG_LINE.replace(
        "-display none -serial stdio", "-nographic -serial mon:stdio"))
    result = run_kut_debug(tree, ["--batch", "--ex", "continue", "nographic"])
    out = result.stdout + result.stderr
    assert STOPPED_AT_MAIN.search(result.stdout), out
    assert "exited normally" in result.stdout, out  # the guest ran to its end
    console = (tree / "logs" / "nographic.console").read_text()
    assert "sample: checksum 0x" in console, console
    assert "sample: checksum" not in out and "(qemu)" not in out, out  # no guest, no monitor


def test_command_after_double_dash(tree):
    console = tree / "my.console"
    result = run_kut_debug(tree, ["--batch", "--console", str(console), "--ex", "continue", "--",
                                  "qemu-system-aarch64", "-machine", "virt", "-cpu", "max",
                                  "-nographic", "-s", "-kernel", "arm64/sample.flat"])
    out = result.stdout + result.stderr
    assert STOPPED_AT_MAIN.search(result.stdout), out
    assert "sample: checksum 0x" in console.read_text(), out
    assert started(result.stderr)[1] != 1234  # its own port, not -s's


def test_gdb_killed_takes_qemu_down(tree):
    session = start_kut_debug(tree, ["--batch", "--ex", "python import time; time.sleep(60)",
                                     "sample"])
    try:
        read_until(session.stdout, r"Breakpoint 1, main")
        qemu_pid = child_named(session.pid, "qemu-system-aarch64")
        os.kill(child_named(session.pid, "gdb-multiarch"), signal.SIGKILL)
        assert session.wait(30) == 1
        stderr = session.stderr.read().decode()
        assert stderr.splitlines()[-1] == \
            "kut-debug: gdb-multiarch was killed by SIGKILL; QEMU is stopped", stderr
        assert_session_gone(tree, qemu_pid, started(stderr)[1])
    finally:
        session.kill()
        session.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_signal_to_kut_debug_ends_gdb_and_qemu(tree, signum):
    session = start_kut_debug(tree, ["--batch", "--ex", "python import time; time.sleep(60)",
                                     "sample"])
    try:
        read_until(session.stdout, r"Breakpoint 1, main")
        qemu_pid = child_named(session.pid, "qemu-system-aarch64")
        session.send_signal(signum)
        assert session.wait(30) == 128 + signum
        assert_session_gone(tree, qemu_pid, started(session.stderr.read().decode())[1])
    finally:
        session.kill()
        session.wait()


def test_sigkill_to_kut_debug_still_ends_qemu_and_gdb(tree, tmp_path_factory):
    temp = tmp_path_factory.mktemp("temp")
    session = start_kut_debug(tree, ["--batch", "--ex", "python import time; time.sleep(60)",
                                     "sample"], env=dict(os.environ, TMPDIR=str(temp)))
    try:
        read_until(session.stdout, r"Breakpoint 1, main")
        qemu_pid = child_named(session.pid, "qemu-system-aarch64")
        session.kill()
        session.wait()
        assert_session_gone(tree, qemu_pid)
        assert os.listdir(str(temp)) == []  # no temporary file left behind
    finally:
        session.kill()
        session.wait()


def test_sigkill_to_kut_debug_ends_a_gdb_that_ignores_sigterm(tree):
    """A user's Python command can keep gdb from ending on the SIGTERM its
    parent's death sends; kut-debug's guard then ends it. (gdb 16 holds
    Python's output until the command ends unless it is flushed.)"""
    session = start_kut_debug(tree, ["--batch", "--ex", "python import signal, time; "
                                     "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                     "print('ignoring', flush=True); time.sleep(60)", "sample"])
    try:
        read_until(session.stdout, r"ignoring")
        session.kill()
        session.wait()
        assert_session_gone(tree)  # gdb among them: its cwd is the tree
    finally:
        session.kill()
        session.wait()


def fake_gdb_path(tmp_path):
    """A PATH whose gdb-multiarch only records that it was run."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    fake = bin_dir / "gdb-multiarch"
    fake.write_text("#!/bin/sh\ntouch %s\n" % (tmp_path / "gdb-was-run"))
    fake.chmod(0o755)
    return str(bin_dir) + os.pathsep + os.environ["PATH"]


def test_qemu_exiting_at_once_is_one_line_and_no_gdb(tree, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("fake")
    write_log(tree, "bad", ARM64_LOG_LINE.replace("-smp 1", "-smp 1 -bogus-option"))
    result = run_kut_debug(tree, ["--batch", "bad"],
                           env=dict(os.environ, PATH=fake_gdb_path(scratch)))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == ("kut-debug: not in a configured kvm-unit-tests tree: running the "
                             "log's QEMU command without the environment run_tests.sh gave the "
                             "test (-initrd)\n"
                             "kut-debug: QEMU exited at once: qemu-system-aarch64: "
                             "-bogus-option: invalid option\n")
    assert not (scratch / "gdb-was-run").exists()


@pytest.mark.parametrize("args, message", [
    (["nosuch"], "kut-debug: logs/nosuch.log: no such log file, and this directory is no "
                 "kvm-unit-tests tree (no config.mak with a run script), where a test name is "
                 "looked up in unittests.cfg; run kut-debug in the tree\n"),
    (["logs/other/x.log"], "kut-debug: logs/other/x.log: no such log file\n"),
    (["notqemu"], "kut-debug: logs/notqemu.log holds no QEMU command that runs a test "
                  "(no line with a qemu-system-* program)\n"),
    (["noqemu"], "kut-debug: QEMU is not installed (/opt/none/bin/qemu-system-nonesuch not "
                 "found, nor qemu-system-nonesuch on PATH)\n"),
    (["notbuilt"], "kut-debug: neither arm64/missing.flat, the test's -kernel, nor its ELF "
                   "arm64/missing.elf exists; build the tests (make) or give the test's ELF "
                   "with --elf\n"),
    (["noelf"], "kut-debug: arm64/lonely.elf does not exist (the ELF for -kernel "
                "arm64/lonely.flat); give the test's ELF with --elf\n"),
    (["migration"], "kut-debug: logs/migration.log is a migration run (run_migration, "
                    "-incoming): the test waits for a second QEMU that kut-debug does not "
                    "start; kut-debug does not debug migration tests\n"),
])
def test_errors_are_one_sentence_and_start_nothing(tree, args, message):
    write_log(tree, "notqemu", "PASS: selftest: setup: smp: number of CPUs matches expectation")
    write_log(tree, "noqemu", ARM64_LOG_LINE.replace(QEMU, "/opt/none/bin/qemu-system-nonesuch"))
    write_log(tree, "notbuilt", ARM64_LOG_LINE.replace("sample.flat", "missing.flat"))
    shutil.copy(tree / "arm64" / "sample.flat", tree / "arm64" / "lonely.flat")
    write_log(tree, "noelf", ARM64_LOG_LINE.replace("sample.flat", "lonely.flat"))
    # scripts/arch-run.bash's run_migration runs the command twice, the second with -incoming.
    write_log(tree, "migration", "run_migration " + ARM64_LOG_LINE)
    result = run_kut_debug(tree, ["--batch"] + args)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


def test_gdb_command_with_the_users_own_file(tree, tmp_path_factory):
    """--gdb takes a command: the user's -x file runs in the session kut-debug starts."""
    own = tmp_path_factory.mktemp("own") / "my.gdb"
    own.write_text("set $users_own_file = 0x5a5a\n")
    result = run_kut_debug(tree, ["--batch", "--gdb", "gdb-multiarch -x '%s'" % own, "--ex",
                                  "print/x $users_own_file", "sample"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert STOPPED_AT_MAIN.search(result.stdout), out
    assert re.search(r"^\$1 = 0x5a5a$", result.stdout, re.M), out


def test_gdb_not_installed_starts_no_qemu(tree, tmp_path_factory):
    empty = tmp_path_factory.mktemp("emptybin")
    result = run_kut_debug(tree, ["--batch", "sample"], env=dict(os.environ, PATH=str(empty)))
    assert (result.returncode, result.stderr) == (
        1, "kut-debug: gdb is not installed (gdb-multiarch not found)\n")
    assert not (tree / "logs" / "sample.console").exists()


class Terminal:
    """kut-debug on a pseudo-terminal, as a user runs it."""

    def __init__(self, tree, args):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(str(tree))
            os.execv(KUT_DEBUG, [KUT_DEBUG, "--nx"] + args)
        self.pending = b""
        self.status = None

    def read_until(self, marker, timeout=60):
        deadline = time.monotonic() + timeout
        while marker not in self.pending and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.pending += os.read(self.fd, 4096)
                except OSError:  # the other side closed
                    break
        seen, marker_found, self.pending = self.pending.partition(marker)
        assert marker_found, "no %r in:\n%s" % (marker, seen.decode(errors="replace"))
        # As a user reads it: gdb 18 styles what it prints on a terminal.
        return re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", seen.decode(errors="replace"))

    def type(self, text):
        os.write(self.fd, text)

    def alive(self):
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is None

    def close(self):
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def test_interactive_ctrl_c_interrupts_the_guest_not_kut_debug(tree):
    terminal = Terminal(tree, ["sample"])
    try:
        seen = terminal.read_until(b"(gdb) ")
        assert "main.c" in seen and ":%d" % MAIN_LINE in seen, seen
        qemu_pid = child_named(terminal.pid, "qemu-system-aarch64")
        # `b .` at the pc: the guest spins until Ctrl-C stops it.
        terminal.type(b"set {unsigned int}$pc = 0x14000000\n")
        terminal.read_until(b"(gdb) ")
        terminal.type(b"delete 1\n")
        terminal.read_until(b"(gdb) ")
        terminal.type(b"continue\n")
        terminal.read_until(b"Continuing.")
        time.sleep(0.5)
        terminal.type(b"\x03")
        seen = terminal.read_until(b"(gdb) ", timeout=20)
        assert "SIGINT" in seen, seen
        assert terminal.alive() and os.path.exists("/proc/%d" % qemu_pid)
        terminal.type(b"print/x sample_magic\n")
        assert MAGIC in terminal.read_until(b"(gdb) ")
        terminal.type(b"quit\n")
        terminal.read_until(b"(y or n) ")
        terminal.type(b"y\n")
        deadline = time.monotonic() + 30
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not terminal.alive()
        assert_session_gone(tree, qemu_pid)
    finally:
        terminal.close()


def test_taken_port_is_retried(tree, monkeypatch):
    from kut_debug.processes import paused_command, paused_qemu
    from kut_load.qemu import loopback
    monkeypatch.chdir(tree)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        taken_port = taken.getsockname()[1]
        offered = [taken_port]
        real_free_port = loopback.free_port
        monkeypatch.setattr(loopback, "free_port",
                            lambda: offered.pop() if offered else real_free_port())
        argv = [QEMU, "-machine", "virt", "-display", "none", "-monitor", "none",
                "-kernel", "arm64/sample.flat"]
        qemu = paused_qemu.Qemu(lambda port: paused_command.with_gdb_stub(argv, port),
                                "logs/retry.console")
        try:
            qemu.start()
            assert not offered and qemu.port != taken_port
            assert qemu.process.poll() is None and port_open(qemu.port)
        finally:
            qemu.stop()


def test_unsafe_gdb_command_is_refused_before_qemu_starts(tree):
    result = run_kut_debug(tree, ["--batch", "--ex", "bt\nshell echo INJECTED", "sample"])
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("kut-debug: gdb command ")
    assert "control character" in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert not (tree / "logs" / "sample.console").exists()


def test_verbose_shows_the_qemu_command_it_ran(tree):
    result = run_kut_debug(tree, ["--batch", "-v", "sample"])
    line = re.search(r"^kut-debug: QEMU: (.*)$", result.stderr, re.M)
    assert line, result.stderr
    assert line.group(1).startswith(QEMU + " -nodefaults -machine virt ")
    assert "-serial chardev:kutconsole0" in line.group(1) and "stdio" not in line.group(1)
    assert line.group(1).endswith(" -S -gdb tcp:127.0.0.1:%d" % started(result.stderr)[1])
    assert STOPPED_AT_MAIN.search(result.stdout), result.stdout + result.stderr
