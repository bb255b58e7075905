"""Process lifetime: QEMU starts paused, gdb drives it on the terminal, and
QEMU never outlives the session, however kut-debug or gdb ends."""

import signal
import subprocess

from kut_load.child_process import tied_to_parent
from kut_debug.errors import DebugError
from kut_debug.processes.terminal import TerminalSettings

GDB_GRACE = 2


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


class Session:
    """A context in which SIGTERM and SIGHUP end kut-debug by unwinding, and on
    leaving which gdb and QEMU are gone."""

    ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self):
        self.qemu = None
        self.gdb = None
        self.terminal = None
        self.saved_handlers = {}

    def __enter__(self):
        self.saved_handlers[signal.SIGINT] = signal.getsignal(signal.SIGINT)
        for signum in self.ENDING_SIGNALS:
            self.saved_handlers[signum] = signal.signal(signum, _raise_terminated)
        return self

    def start_qemu(self, qemu):
        """Starts qemu (a qemu_process.Qemu), stopped when the session ends."""
        self.qemu = qemu
        self.qemu.start()
        return self.qemu

    def run_gdb(self, argv, pass_fds=()):
        """Runs gdb on the terminal until it ends; returns its exit status.
        Ctrl-C reaches gdb, which interrupts the guest; kut-debug ignores it."""
        self.terminal = TerminalSettings()
        previous = signal.signal(signal.SIGINT, _ignore)
        try:
            try:
                self.gdb = subprocess.Popen(argv, pass_fds=pass_fds,
                                            preexec_fn=tied_to_parent(signal.SIGTERM))
            except OSError as error:
                raise DebugError("cannot run %s: %s" % (argv[0], error.strerror)) from None
            if self.qemu is not None:
                self.qemu.tell_guard_gdb(self.gdb.pid)
            return self.gdb.wait()
        finally:
            signal.signal(signal.SIGINT, previous)

    def __exit__(self, *exc):
        # Nothing may interrupt the cleanup itself.
        for signum in self.saved_handlers:
            signal.signal(signum, signal.SIG_IGN)
        try:
            # gdb first: a gdb that loses its target while quitting may crash.
            # Ended by a signal: gdb, told to quit while the guest runs, prints a traceback of its
            # Python and errors of its own; the user gets kut-debug's one line instead.
            self._stop_gdb(forced=exc[0] is Terminated)
            if self.qemu:
                self.qemu.stop()
            if self.terminal:
                self.terminal.restore()
        finally:
            for signum, handler in self.saved_handlers.items():
                signal.signal(signum, handler)
        return False

    def _stop_gdb(self, forced=False):
        if self.gdb is None or self.gdb.poll() is not None:
            return
        if forced:
            self.gdb.kill()
            self.gdb.wait()
            return
        self.gdb.terminate()
        try:
            self.gdb.wait(GDB_GRACE)
        except subprocess.TimeoutExpired:
            self.gdb.kill()
            self.gdb.wait()
