"""Finding the local QEMU behind a gdb connection."""

import socket
import subprocess
import sys

import pytest

from kut_load.qemu.process import QemuProcess, port_of


@pytest.mark.parametrize("details, port", [
    ("127.0.0.1:1234", 1234),
    (":1234", 1234),
    ("localhost:1", 1),
    ("tcp:127.0.0.1:1234", 1234),
    ("tcp4:localhost:5555", 5555),
    ("tcp::1234", 1234),
    ("127.0.1.1:2000", 2000),
    ("[::1]:1234", 1234),
    ("tcp6:[::1]:1234", 1234),
])
def test_local_ports(details, port):
    assert port_of(details) == port


@pytest.mark.parametrize("details", [
    None, "", "10.0.0.2:1234", "build-host:1234", "example.com:1234", "tcp:192.168.1.5:1",
    "| qemu-system-aarch64 -gdb stdio", "|cmd", "127.0.0.1", "127.0.0.1:", "127.0.0.1:http",
    "/dev/ttyS0", "localhost:-1",
])
def test_not_a_local_port(details):
    assert port_of(details) is None


def test_working_directory_of_a_local_listener(tmp_path):
    """A child listening on a port is found through /proc, with its cwd."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import socket, sys\n"
         "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
         "print(s.getsockname()[1], flush=True); sys.stdin.read()"],
        cwd=str(tmp_path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(child.stdout.readline())
        qemu = QemuProcess("127.0.0.1:%d" % port)
        assert qemu.working_directory() == str(tmp_path)
        assert qemu.kernel_argument() is None  # its command line has no -kernel
    finally:
        child.kill()
        child.wait()


def test_working_directory_of_a_remote_or_closed_port():
    assert QemuProcess("example.com:1234").working_directory() is None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused = probe.getsockname()[1]
    assert QemuProcess("127.0.0.1:%d" % unused).working_directory() is None
