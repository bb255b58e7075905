"""An upstream test started the way a user does, with QEMU's gdb stub on a
free loopback port, in its own process group so nothing outlives the test:
GroupRun for any command, PausedRun for the tree's own run script (ARCH/run,
which run_tests.sh calls) with `-S` added, Running for an EFI test that runs
until it prints its address."""

import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import run_logs
import upstream
from session import free_port, listening

ADDRESS = re.compile(rb"Address of image is: (0x[0-9a-f]+)")
# Firmware start-up under TCG on a loaded machine (the UEFI shell waits 5 s).
BOOT_SECONDS = 240


class GroupRun:
    """argv plus `-gdb tcp:127.0.0.1:PORT`, run in cwd; its output goes to a
    temporary console file. close() kills its whole process group."""

    def __init__(self, argv, cwd, env=None):
        self.argv = list(argv)
        self.port = free_port()
        self.console = tempfile.NamedTemporaryFile(prefix="kut-upstream-", suffix=".console")
        self.process = subprocess.Popen(
            self.argv + ["-gdb", "tcp:127.0.0.1:%d" % self.port], cwd=cwd, env=env,
            stdin=subprocess.DEVNULL, stdout=self.console, stderr=subprocess.STDOUT,
            start_new_session=True)

    def text(self):
        """The console's bytes so far."""
        with open(self.console.name, "rb") as console:
            return console.read()

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.console.close()


class PausedRun:
    """`TIMEOUT=0 ./ARCH/run FILE ARGS... -S -gdb tcp:127.0.0.1:PORT` in tree."""

    def __init__(self, tree, config, run_script, kernel, args=(), accel="tcg"):
        self.tree, self.config, self.accel = tree, config, accel
        self.argv = ["./" + run_script, kernel] + list(args) + ["-S"]
        self.run = self.port = None

    def __enter__(self):
        env = dict(run_logs.environment(self.config, self.accel), TIMEOUT="0")
        self.run = GroupRun(self.argv, self.tree, env)
        self.port = self.run.port
        if not run_logs.wait_listening(self.run.process, self.port):
            self.run.close()
            raise AssertionError("%s did not open its gdb port: %s"
                                 % (" ".join(self.argv), self.console_text()))
        listening(self.port, self.config.split("-")[0])
        return self

    def console_text(self):
        return self.run.text().decode(errors="replace")

    def __exit__(self, *exc):
        self.run.close()


class Running(GroupRun):
    """A test started by argv in cwd with its gdb stub on a free port, in its own
    process group; attach() stops the guest once it has printed its address."""

    def attach(self):
        """The image address the test printed; the guest is stopped when it returns."""
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            printed = ADDRESS.search(self.text())
            if printed:
                # A client connecting to QEMU's stub stops the guest at once,
                # and it stays stopped for the gdb that attaches next.
                with socket.create_connection(("127.0.0.1", self.port), timeout=10):
                    pass
                return int(printed.group(1), 16)
            assert self.process.poll() is None, self.text()[-3000:].decode(errors="replace")
            time.sleep(0.02)
        raise AssertionError("no image address within %d s: %s"
                             % (BOOT_SECONDS, self.text()[-3000:].decode(errors="replace")))


def script_run(config, script, efi, args=()):
    tree = upstream.tree(config)
    return Running(["./" + script, efi] + list(args), tree,
                   env=dict(run_logs.environment(config), TIMEOUT="0"))
