"""Real QEMU, paused with a gdb stub on a free loopback port, and the real
gdb-multiarch with the project's gdbinit. Nothing here is mocked."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GDBINIT = os.path.join(REPO, "gdbinit")

# How each sample guest is started: kvm-unit-tests' own QEMU lines, trimmed.
QEMU_COMMANDS = {
    "aarch64": ["qemu-system-aarch64", "-machine", "virt", "-cpu", "max"],
    "arm": ["qemu-system-arm", "-machine", "virt", "-cpu", "cortex-a15"],
    "riscv64": ["qemu-system-riscv64", "-machine", "virt"],
    "x86_64": ["qemu-system-x86_64", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4"],
}


def require(program):
    path = shutil.which(program)
    assert path, "%s is not installed; the end-to-end tests need it" % program
    return path


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Qemu:
    """A paused QEMU; use as a context manager so it never outlives the test."""

    def __init__(self, arch, kernel, extra=(), paused=True, cwd=None):
        command = QEMU_COMMANDS[arch]
        require(command[0])
        self.workdir = tempfile.mkdtemp(prefix="kut-qemu-")
        self.console = os.path.join(self.workdir, "console.log")
        # kernel None: the image comes some other way (-device loader).
        self.argv = (command + ["-display", "none", "-monitor", "none",
                                "-serial", "file:" + self.console]
                     + (["-kernel", kernel] if kernel else []) + list(extra)
                     + (["-S"] if paused else []))
        self.cwd = cwd
        self.process = None
        self.port = None

    def __enter__(self):
        for _ in range(5):  # another process may take the port between probe and bind
            self.port = free_port()
            self.process = subprocess.Popen(
                self.argv + ["-gdb", "tcp:127.0.0.1:%d" % self.port], cwd=self.cwd,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if self._wait_listening():
                return self
            self.stop()
        raise AssertionError("QEMU did not start: %s" % " ".join(self.argv))

    def _wait_listening(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return True
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def console_text(self):
        with open(self.console, errors="replace") as console:
            return console.read()


def run_gdb(port, commands, gdbinit=GDBINIT, cwd=None, timeout=120, connect=True, prefix=()):
    """Runs gdb-multiarch in batch mode (behind prefix, e.g. a user switch);
    returns everything it printed."""
    argv = list(prefix) + [require("gdb-multiarch"), "-nx", "-batch"]
    if gdbinit:
        argv += ["-x", gdbinit]
    if connect:
        argv += ["-ex", "target remote 127.0.0.1:%d" % port]
    for command in commands:
        argv += ["-ex", command]
    # One stream, so errors stay in order with what the commands printed.
    result = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return result.stdout
