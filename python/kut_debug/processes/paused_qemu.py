"""QEMU paused with a gdb stub on a free loopback port; its stdout and
stderr through one pipe into the console file, its stdin /dev/null.

QEMU is started directly, or by the tree's run script, which runs it as a
child (scripts/arch-run.bash's run_qemu): either way everything runs in a
process group of its own, and the QEMU is the process of that group that
listens on the port."""

import os
import signal
import subprocess
import threading
import time

from kut_debug.processes import group_guard
from kut_load.qemu import loopback
from kut_debug.tree import qemu_command
from kut_load.child_process import tied_to_parent
from kut_debug.errors import DebugError

START_TIMEOUT = 10
# A run script probes QEMU and, for EFI tests, dumps a device tree first.
RUN_SCRIPT_START_TIMEOUT = 60
PORT_ATTEMPTS = 5
# QEMU 7.2: "-gdb tcp:127.0.0.1:N: Failed to find an available port: Address already in use"
PORT_TAKEN = "Address already in use"
# QEMU 7.2 and later (target/*/cpu.c); -cpu max on riscv came with QEMU 8.
CPU_MODEL_MISSING = "unable to find CPU model"
# Time a run script gets after SIGTERM to run its EXIT trap (it deletes the -initrd file).
STOP_GRACE = 5
# Time the console copier gets to write what QEMU wrote last.
COPY_GRACE = 2


def copy_into(read_end, output):
    """Copies the pipe into the console file until every writer has closed it."""
    with output:
        while True:
            try:
                data = os.read(read_end, 65536)
            except OSError:
                break
            if not data:
                break
            output.write(data)
    os.close(read_end)


def one_line(text):
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def exit_report(what, text):
    """Why what (QEMU, a run script) exited before listening, from its output:
    its messages on one line, then the QEMU command it echoed on its own."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    commands = [line for line in lines if qemu_command.command_from_log_line(line)]
    said = " ".join(line for line in lines if line not in commands)
    report = "%s exited at once: %s" % (
        what, said or ("it printed nothing more" if commands else "it printed nothing"))
    argv = qemu_command.command_from_log_line(commands[0]) if commands else None
    if CPU_MODEL_MISSING in said and argv:
        report += ("; `%s -cpu help` lists the CPU models it has (riscv/run takes one in "
                   "TARGET_CPU_OVERRIDE)" % argv[0])
    elif argv and (qemu_command.accelerator(argv) or ("",))[0].startswith("kvm"):
        report += "; under KVM: ACCEL=tcg runs the test under TCG instead"
    return report + "".join("\n  its command: %s" % command for command in commands[:1])


class Qemu:
    """launch(port) gives the argv that starts QEMU with its gdb stub on port;
    what it starts is named `what` in messages ("QEMU", "arm/run")."""

    def __init__(self, launch, console_path, what="QEMU", environ=None,
                 start_timeout=START_TIMEOUT):
        self.launch = launch
        self.console_path = console_path
        self.what = what
        self.environ = environ
        self.start_timeout = start_timeout
        self.process = None
        self.port = None
        self.pid = None         # the QEMU that listens, once it does
        self.guard = None       # the pipe to group_guard's process
        self.copier = None      # the thread copying QEMU's output to the console file

    def start(self):
        for _ in range(PORT_ATTEMPTS):
            self.port = loopback.free_port()
            self._spawn(self.launch(self.port))
            if self._wait_listening():
                return
            self.stop()
            text = self.console_text()
            # Another program took the port between the probe and QEMU's bind: try another.
            if PORT_TAKEN not in one_line(text):
                raise DebugError(exit_report(self.what, text))
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
        # A pipe, copied to the file: a run script reopens its stdout (/dev/fd/N), and two
        # opens of a file write over each other at their own offsets; a pipe has none.
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=write_end, stderr=write_end,
                env=self.environ,
                # SIGTERM: a run script still runs its EXIT trap; group_guard follows up.
                preexec_fn=tied_to_parent(signal.SIGTERM, own_process_group=True))
        except OSError as error:
            os.close(read_end)
            output.close()
            raise DebugError("cannot run %s: %s" % (argv[0], error.strerror)) from None
        finally:
            os.close(write_end)
        self.copier = threading.Thread(target=copy_into, args=(read_end, output), daemon=True)
        self.copier.start()
        self.guard = group_guard.start(self.process.pid)

    def drain(self, seconds=COPY_GRACE):
        """Waits until what QEMU wrote before it ended is in the console file."""
        if self.copier is not None:
            self.copier.join(seconds)

    def _wait_listening(self):
        """True once QEMU listens on its port, False if what started it exited first."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            self.pid = loopback.listener_in_group(self.process.pid, self.port)
            if self.pid:
                group_guard.tell_qemu(self.guard, self.pid)
                return True
            time.sleep(0.05)
        self.stop()
        raise DebugError("QEMU did not open its gdb port 127.0.0.1:%d within %d seconds"
                         % (self.port, self.start_timeout))

    def console_text(self):
        try:
            with open(self.console_path, errors="replace") as console:
                return console.read()
        except OSError:
            return ""

    def tell_guard_gdb(self, pid):
        """Has the guard end gdb too if kut-debug ends without ending it."""
        if self.guard is not None:
            try:
                group_guard.tell_gdb(self.guard, pid)
            except OSError:
                pass  # gdb already ended, or the guard did

    def stop(self):
        """Ends QEMU, lets a run script finish (its EXIT trap removes the -initrd
        file), then kills whatever of the group is left; QEMU keeps nothing
        that needs flushing."""
        if self.process is None:
            return
        if self.process.poll() is None and self.pid != self.process.pid:
            # A run script: QEMU ends, then the script, which may be in its EXIT trap already.
            if self.pid and self._in_group(self.pid):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                pass
        # Children of a run script may outlive it.
        self._signal_group(signal.SIGKILL)
        self.process.wait()
        self.drain()
        if self.guard is not None:
            os.close(self.guard)
            self.guard = None

    def _in_group(self, pid):
        try:
            return os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def _signal_group(self, signum):
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
