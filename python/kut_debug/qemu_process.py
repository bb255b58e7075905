"""QEMU paused with a gdb stub on a free loopback port; its stdout and
stderr appended to the console file, its stdin /dev/null."""

import os
import signal
import subprocess
import time

from . import loopback, paused_command
from .child_process import tied_to_parent
from .errors import DebugError

START_TIMEOUT = 10
PORT_ATTEMPTS = 5
# QEMU 7.2: "-gdb tcp:127.0.0.1:N: Failed to find an available port: Address already in use"
PORT_TAKEN = "Address already in use"


def one_line(text):
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class Qemu:
    def __init__(self, argv, console_path):
        self.argv = argv
        self.console_path = console_path
        self.process = None
        self.port = None

    def start(self):
        for _ in range(PORT_ATTEMPTS):
            self.port = loopback.free_port()
            self._spawn(paused_command.with_gdb_stub(self.argv, self.port))
            if self._wait_listening():
                return
            message = one_line(self.console_text())
            self.stop()
            # Another program took the port between the probe and QEMU's bind: try another.
            if PORT_TAKEN not in message:
                raise DebugError("QEMU exited at once: %s" % (message or "it printed nothing"))
        raise DebugError("QEMU found no free loopback port for its gdb stub in %d attempts"
                         % PORT_ATTEMPTS)

    def _spawn(self, argv):
        try:
            with open(self.console_path, "w"):
                pass
            # Append mode: QEMU's messages interleave with the console chardev's writes.
            output = open(self.console_path, "ab", buffering=0)
        except OSError as error:
            raise DebugError("cannot write the console file %s: %s"
                             % (self.console_path, error.strerror)) from None
        with output:
            try:
                self.process = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                    preexec_fn=tied_to_parent(signal.SIGKILL, own_process_group=True))
            except OSError as error:
                raise DebugError("cannot run %s: %s" % (argv[0], error.strerror)) from None

    def _wait_listening(self):
        """True once QEMU listens on its port, False if it exited first."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if loopback.listens(self.process.pid, self.port):
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
