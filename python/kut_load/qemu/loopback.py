"""Loopback TCP ports: a free one for QEMU's gdb stub, and which process of
the session listens on it (kut_load.qemu.linux_proc)."""

import socket

from kut_load.qemu import linux_proc


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listens(pid, port):
    """Whether process pid itself listens on the port; a connection test
    would also succeed if another program had the port."""
    return bool(linux_proc.tcp_socket_inodes(port, listening=True)
                & linux_proc.socket_inodes_of(pid))


def listener_in_group(pgid, port):
    """The pid of the process in group pgid that listens on the port, or
    None: a run script starts QEMU as its child or grandchild."""
    sockets = linux_proc.tcp_socket_inodes(port, listening=True)
    if not sockets:
        return None
    return linux_proc.owner_of_sockets(sockets, linux_proc.process_group_members(pgid))
