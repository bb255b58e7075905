"""Back to a recording's start where QEMU's replay_seek does not replay on
(x86, s390x: after it loads the start's snapshot the guest never runs;
riscv64: hung at times): the
QEMU replaying now is ended and the same command line, with a gdb stub of its
own, replays the recording again from its first instruction; gdb connects to
it. A replay is deterministic, so it is the same run: its console output is
written again the same, up to where it goes."""

import signal
import subprocess
import tempfile
import time

import gdb

from kut_load import breakpoints, register_cache, session, target
from kut_load.errors import KutLoadError
from kut_load.qemu import linux_proc, loopback, replay_argv

# How long the QEMU replaying now takes to end at gdb's kill, and the new one to listen.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.01
# The new QEMU's standard error, kept for its reason where it ends at once.
ERROR_LINES = 3


class RestartError(KutLoadError):
    """The replay could not be started again; str() says why."""


def start_again():
    """Ends the QEMU behind gdb's connection and connects gdb to a new one
    replaying the same recording, stopped at its first instruction.
    RestartError where the QEMU is not a local replay kut-why can see or
    the new one does not start."""
    qemu = target.qemu_process()
    argv, directory = qemu.arguments(), qemu.working_directory()
    if not argv or directory is None:
        raise RestartError("the replaying QEMU is no process on this machine listening on "
                           "gdb's TCP port, so kut-why cannot start the replay again")
    if not replay_argv.is_replay(argv):
        raise RestartError("QEMU's command line replays no recording (-icount rr=replay)")
    port = loopback.free_port()
    with session.Setting("confirm", "off"):
        gdb.execute("kill", to_string=True)
    _wait_until_gone(qemu.pid)
    process = _start(replay_argv.restarted(argv, port), directory)
    _wait_until_listening(process, port)
    gdb.execute("target remote 127.0.0.1:%d" % port, to_string=True)
    register_cache.flush()
    breakpoints.renew_watchpoints()


def _wait_until_gone(pid):
    # The recording's disk is locked until the QEMU that replays it has exited.
    deadline = time.monotonic() + WAIT_SECONDS
    while linux_proc.running(pid):
        if time.monotonic() > deadline:
            raise RestartError("QEMU (pid %d) did not end at gdb's kill within %d s"
                               % (pid, WAIT_SECONDS))
        time.sleep(POLL_SECONDS)


_started = []


def _start(argv, directory):
    from kut_load.child_process import tied_to_parent  # loads libc: only where used
    for old in _started[:]:  # reaped: a replay that ended stays no zombie
        if old.poll() is not None:
            _started.remove(old)
    errors = tempfile.TemporaryFile()
    try:
        process = subprocess.Popen(argv, cwd=directory, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=errors,
                                   preexec_fn=tied_to_parent(signal.SIGKILL, True))
    except OSError as error:
        raise RestartError("cannot start %s again: %s" % (argv[0], error.strerror)) from None
    process.errors = errors
    _started.append(process)
    return process


def _wait_until_listening(process, port):
    deadline = time.monotonic() + WAIT_SECONDS
    while not loopback.listens(process.pid, port):
        if process.poll() is not None:
            raise RestartError("QEMU replaying the recording again exited at once: %s"
                               % _last_error(process))
        if time.monotonic() > deadline:
            process.kill()
            raise RestartError("QEMU replaying the recording again did not listen for gdb "
                               "within %d s" % WAIT_SECONDS)
        time.sleep(POLL_SECONDS)


def _last_error(process):
    process.errors.seek(0)
    lines = process.errors.read().decode(errors="replace").strip().splitlines()
    return " ".join(lines[-ERROR_LINES:]) or "exit status %d" % process.returncode
