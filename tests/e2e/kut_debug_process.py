"""kut-debug run as a user runs it, and the check that a session it started
left no process behind, for the end-to-end tests of kut-debug."""

import os
import re
import select
import signal
import socket
import subprocess
import time

from conftest import REPO

KUT_DEBUG = os.path.join(REPO, "python", "kut-debug")
QEMU = "/usr/bin/qemu-system-aarch64"
# What arm/run and run_qemu write as the log's first line, for the sample guest.
ARM64_LOG_LINE = ("timeout -k 1s --foreground 90s " + QEMU + " -nodefaults -machine virt"
                  " -accel tcg -cpu max -device virtio-serial-device"
                  " -device virtconsole,chardev=ctd -chardev testdev,id=ctd -device pci-testdev"
                  " -display none -serial stdio -kernel arm64/sample.flat -smp 1"
                  " # -initrd /tmp/tmp.kHqzPcXg7n")
STARTED = re.compile(r"^kut-debug: QEMU \(pid (\d+)\) waits for gdb on 127\.0\.0\.1:(\d+); "
                     r"its console output goes to (.+)$", re.M)


def run_kut_debug(tree, args, env=None, timeout=120):
    return subprocess.run([KUT_DEBUG, "--nx"] + args, cwd=str(tree), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)


def start_kut_debug(tree, args, env=None):
    return subprocess.Popen([KUT_DEBUG, "--nx"] + args, cwd=str(tree), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def processes_in(directory):
    """Processes whose working directory is directory: what a session started there."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink("/proc/%s/cwd" % pid) == str(directory):
                with open("/proc/%s/cmdline" % pid, "rb") as cmdline:
                    found.append((int(pid), cmdline.read().replace(b"\0", b" ").decode()))
        except OSError:
            continue
    return found


def port_open(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


# Ending takes a signal and a process exit each; seconds on a loaded machine.
def assert_session_gone(tree, qemu_pid=None, port=None, timeout=20.0):
    deadline = time.monotonic() + timeout
    while processes_in(tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_in(tree)
    for pid, _ in left:  # never leave them running for the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, left
    if qemu_pid:
        assert not os.path.exists("/proc/%d/cmdline" % qemu_pid) or \
            b"qemu" not in open("/proc/%d/cmdline" % qemu_pid, "rb").read()
    if port:
        assert not port_open(port)


def started(stderr):
    match = STARTED.search(stderr)
    assert match, stderr
    return int(match.group(1)), int(match.group(2)), match.group(3)


def read_until(stream, pattern, timeout=60):
    """What stream gives up to a line matching pattern; fails on EOF or timeout.
    Reads the file descriptor itself: a buffered reader would hide lines from select."""
    deadline = time.monotonic() + timeout
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            chunk = os.read(stream.fileno(), 4096)
            assert chunk, "output ended before %r:\n%s" % (pattern, seen.decode())
            seen += chunk
            if re.search(pattern, seen.decode(errors="replace")):
                return seen.decode(errors="replace")
    raise AssertionError("no %r within %ss:\n%s" % (pattern, timeout, seen.decode()))
