"""An upstream test started the way a user does, with QEMU's gdb stub on a
free loopback port, in its own process group so nothing outlives the test:
GroupRun for any command, PausedRun for the tree's own run script (ARCH/run,
which run_tests.sh calls) with `-S` added."""

import os
import signal
import subprocess
import tempfile

import run_logs
from session import free_port, listening


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
