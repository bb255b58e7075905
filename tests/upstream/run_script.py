"""An upstream test started paused the way a user does: the tree's own run
script (ARCH/run, which run_tests.sh calls) with `-S -gdb tcp:...` added,
in its own process group so nothing outlives the test."""

import os
import signal
import subprocess
import tempfile

import run_logs
from session import free_port


class PausedRun:
    """`TIMEOUT=0 ./ARCH/run FILE ARGS... -S -gdb tcp:127.0.0.1:PORT` in tree."""

    def __init__(self, tree, config, run_script, kernel, args=(), accel="tcg"):
        self.tree, self.config, self.accel = tree, config, accel
        self.argv = ["./" + run_script, kernel] + list(args)
        self.console = tempfile.NamedTemporaryFile(prefix="kut-upstream-", suffix=".console")
        self.process = self.port = None

    def __enter__(self):
        env = run_logs.environment(self.config, self.accel)
        env["TIMEOUT"] = "0"
        self.port = free_port()
        self.process = subprocess.Popen(
            self.argv + ["-S", "-gdb", "tcp:127.0.0.1:%d" % self.port], cwd=self.tree, env=env,
            stdin=subprocess.DEVNULL, stdout=self.console, stderr=subprocess.STDOUT,
            start_new_session=True)
        if not run_logs.wait_listening(self.process, self.port):
            self.__exit__()
            raise AssertionError("%s did not open its gdb port: %s"
                                 % (" ".join(self.argv), self.console_text()))
        return self

    def console_text(self):
        with open(self.console.name, errors="replace") as console:
            return console.read()

    def __exit__(self, *exc):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.console.close()
