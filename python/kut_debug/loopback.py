"""Loopback TCP ports: a free one for QEMU's gdb stub, and which process of
the session listens on it (Linux /proc)."""

import os
import socket
import struct

TCP_LISTEN = "0A"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_sockets(port, table="/proc/net/tcp"):
    """Inodes of the sockets listening on 127.0.0.1:port."""
    # /proc/net/tcp prints the address as a host-order integer, the port as hex.
    address = struct.unpack("=I", socket.inet_aton("127.0.0.1"))[0]
    local = "%08X:%04X" % (address, port)
    inodes = set()
    try:
        with open(table) as sockets:
            next(sockets)  # the column titles
            for line in sockets:
                fields = line.split()
                if fields[1] == local and fields[3] == TCP_LISTEN:
                    inodes.add(fields[9])
    except OSError:
        pass
    return inodes


def socket_inodes(pid):
    """Inodes of the sockets process pid has open."""
    inodes = set()
    try:
        descriptors = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, descriptor))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def listens(pid, port):
    """Whether process pid itself listens on 127.0.0.1:port; a connection
    test would also succeed if another program had the port."""
    return bool(listening_sockets(port) & socket_inodes(pid))


def process_group_members(pgid):
    """Pids of the processes in process group pgid (/proc/PID/stat's 5th field)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid):
            members.append(int(entry))
    return members


def listener_in_group(pgid, port):
    """The pid of the process in group pgid that listens on 127.0.0.1:port, or
    None: a run script starts QEMU as its child or grandchild."""
    sockets = listening_sockets(port)
    if not sockets:
        return None
    for pid in process_group_members(pgid):
        if sockets & socket_inodes(pid):
            return pid
    return None
