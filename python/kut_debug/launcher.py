"""Process lifetime: QEMU starts paused, gdb drives it, and QEMU never
outlives the session, however kut-debug or gdb ends."""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

from . import paused_command
from .errors import DebugError

PR_SET_PDEATHSIG = 1
START_TIMEOUT = 10.0
PORT_ATTEMPTS = 5
GDB_GRACE = 2.0
# QEMU 7.2: "-gdb tcp:127.0.0.1:N: Failed to find an available port: Address already in use"
PORT_TAKEN = "Address already in use"

# Loaded before any fork: between fork and exec the child only makes system calls.
_libc = ctypes.CDLL(None, use_errno=True)


class Terminated(BaseException):
    """kut-debug got SIGTERM or SIGHUP; unwinding stops gdb and QEMU."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def _ignore(signum, frame):
    """A handler that does nothing: unlike SIG_IGN, exec resets it, so gdb
    still gets Ctrl-C and interrupts the guest with it."""


def _child_setup(parent_pid, death_signal, own_process_group):
    def setup():
        if own_process_group:
            # Out of the terminal's foreground group: Ctrl-C would kill QEMU.
            os.setpgid(0, 0)
        _libc.prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent_pid:  # kut-debug died before prctl took effect
            os.kill(os.getpid(), death_signal)
    return setup


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_line(text):
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class Qemu:
    """QEMU paused with a gdb stub on a free loopback port; its stdout and
    stderr are appended to the console file, its stdin is /dev/null."""

    def __init__(self, argv, console_path):
        self.argv = argv
        self.console_path = console_path
        self.process = None
        self.port = None

    def start(self):
        for _ in range(PORT_ATTEMPTS):
            self.port = free_port()
            self._spawn(paused_command.with_gdb_stub(self.argv, self.port))
            if self._wait_listening():
                return
            message = one_line(self.console_text())
            self.stop()
            # Another process took the port between the probe and QEMU's bind.
            if PORT_TAKEN not in message:
                raise DebugError("QEMU exited at once: %s" % (message or "it printed nothing"))
        raise DebugError("QEMU found no free loopback port for its gdb stub in %d attempts"
                         % PORT_ATTEMPTS)

    def _spawn(self, argv):
        try:
            with open(self.console_path, "w"):
                pass
            output = open(self.console_path, "ab", buffering=0)
        except OSError as error:
            raise DebugError("cannot write the console file %s: %s"
                             % (self.console_path, error.strerror)) from None
        with output:
            try:
                self.process = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                    preexec_fn=_child_setup(os.getpid(), signal.SIGKILL, True))
            except OSError as error:
                raise DebugError("cannot run %s: %s" % (argv[0], error.strerror)) from None

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return True
            time.sleep(0.05)
        self.stop()
        raise DebugError("QEMU did not open its gdb port 127.0.0.1:%d within %d seconds"
                         % (self.port, START_TIMEOUT))

    def console_text(self):
        try:
            with open(self.console_path, errors="replace") as console:
                return console.read()
        except OSError:
            return ""

    def stop(self):
        """Kills QEMU's process group; QEMU keeps nothing that needs flushing."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()


class Terminal:
    """The terminal's settings, put back after gdb: a gdb that crashed or was
    killed leaves readline's raw mode behind."""

    def __init__(self):
        self.saved = None
        try:
            import termios
            if sys.stdin.isatty() and os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp():
                self.saved = termios.tcgetattr(sys.stdin.fileno())
        except (ImportError, OSError):
            self.saved = None

    def restore(self):
        if self.saved is None:
            return
        import termios
        try:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self.saved)
        except (OSError, termios.error):
            pass


class Session:
    """A context in which SIGTERM and SIGHUP end kut-debug by unwinding, and on
    leaving which gdb and QEMU are gone."""

    HANDLED = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self):
        self.qemu = None
        self.gdb = None
        self.terminal = None
        self.saved_handlers = {}

    def __enter__(self):
        self.saved_handlers[signal.SIGINT] = signal.getsignal(signal.SIGINT)
        for signum in self.HANDLED:
            self.saved_handlers[signum] = signal.signal(signum, _raise_terminated)
        return self

    def start_qemu(self, argv, console_path):
        self.qemu = Qemu(argv, console_path)
        self.qemu.start()
        return self.qemu

    def run_gdb(self, argv):
        """Runs gdb on the terminal until it ends; returns its exit status."""
        self.terminal = Terminal()
        previous = signal.signal(signal.SIGINT, _ignore)
        try:
            try:
                self.gdb = subprocess.Popen(
                    argv, preexec_fn=_child_setup(os.getpid(), signal.SIGTERM, False))
            except OSError as error:
                raise DebugError("cannot run %s: %s" % (argv[0], error.strerror)) from None
            return self.gdb.wait()
        finally:
            signal.signal(signal.SIGINT, previous)

    def __exit__(self, *exc):
        # Nothing may interrupt the cleanup itself.
        for signum in self.HANDLED + (signal.SIGINT,):
            signal.signal(signum, signal.SIG_IGN)
        try:
            # gdb first: a gdb that loses its target while quitting may crash.
            self._stop_gdb()
            if self.qemu:
                self.qemu.stop()
            if self.terminal:
                self.terminal.restore()
        finally:
            for signum, handler in self.saved_handlers.items():
                signal.signal(signum, handler)
        return False

    def _stop_gdb(self):
        if self.gdb is None or self.gdb.poll() is not None:
            return
        self.gdb.terminate()
        try:
            self.gdb.wait(GDB_GRACE)
        except subprocess.TimeoutExpired:
            self.gdb.kill()
            self.gdb.wait()
