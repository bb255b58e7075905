"""The /proc readers, on this process and on one that has ended."""

import os
import socket
import subprocess
import sys

from kut_load.qemu import linux_proc


def ended_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_command_line_and_working_directory_of_this_process():
    assert linux_proc.command_line(os.getpid())[0] == open("/proc/self/cmdline", "rb").read() \
        .split(b"\0")[0].decode()
    assert linux_proc.working_directory(os.getpid()) == os.getcwd()
    assert linux_proc.start_time(os.getpid()).isdigit()


def test_an_ended_process_has_nothing():
    pid = ended_pid()
    assert linux_proc.command_line(pid) is None
    assert linux_proc.working_directory(pid) is None
    assert linux_proc.start_time(pid) is None
    assert linux_proc.socket_inodes_of(pid) == set()
    assert pid not in linux_proc.process_group_members(os.getpgid(0))


def test_a_listening_socket_is_found_by_port_and_owner():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        assert not linux_proc.tcp_socket_inodes(port, listening=True)
        server.listen()
        listening = linux_proc.tcp_socket_inodes(port, listening=True)
        assert listening and listening <= linux_proc.socket_inodes_of(os.getpid())
        assert linux_proc.tcp_socket_inodes(port) >= listening
        # This process is never its own owner: kut-load looks for QEMU, not gdb.
        assert linux_proc.owner_of_sockets(listening) is None
        assert os.getpid() in linux_proc.process_group_members(os.getpgid(0))
