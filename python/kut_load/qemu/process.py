"""The local QEMU process behind a gdb connection, found through /proc: its
working directory is where QEMU's relative file names point, and its command
line names the -kernel file when QEMU's ROM list does not."""

import os

from kut_load.qemu import options as qemu_options

_TCP_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")
_LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1", "[::1]")


def port_of(details):
    """The local port of a connection like '127.0.0.1:1234' or ':1234', or None."""
    if not details or details.startswith("|"):
        return None
    host, _, port = details.rpartition(":")
    for prefix in ("tcp:", "tcp4:", "tcp6:"):
        if host.startswith(prefix):
            host = host[len(prefix):]
    if not port.isdigit() or not (host in _LOCAL_HOSTS or host.startswith("127.")):
        return None
    return int(port)


def socket_inodes(port):
    """Inodes of TCP sockets whose local end is the port."""
    inodes = set()
    for table in _TCP_TABLES:
        try:
            with open(table) as rows:
                next(rows, None)
                for row in rows:
                    fields = row.split()
                    if len(fields) > 9 and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except (OSError, ValueError, IndexError):
            continue
    return inodes


def pid_owning(inodes):
    """The process (other than this one) holding one of the sockets, or None."""
    wanted = {"socket:[%s]" % inode for inode in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            fds = os.listdir("/proc/%s/fd" % pid)
            if any(os.readlink("/proc/%s/fd/%s" % (pid, fd)) in wanted for fd in fds):
                return int(pid)
        except OSError:
            continue
    return None


class QemuProcess:
    """What /proc says about the QEMU behind a local gdb connection: its
    working directory and its -kernel argument; None where it cannot tell."""

    def __init__(self, details):
        port = port_of(details)
        inodes = socket_inodes(port) if port is not None else set()
        self.pid = pid_owning(inodes) if inodes else None

    def working_directory(self):
        try:
            return os.readlink("/proc/%d/cwd" % self.pid) if self.pid else None
        except OSError:
            return None

    def arguments(self):
        """QEMU's command line, or [] when it cannot be read."""
        try:
            with open("/proc/%d/cmdline" % self.pid, "rb") as cmdline:
                argv = cmdline.read().decode(errors="surrogateescape").split("\0")
        except (OSError, TypeError):
            return []
        return argv[:-1] if argv[-1:] == [""] else argv  # each word ends in NUL

    def kernel_argument(self):
        """QEMU's -kernel argument, or None."""
        return qemu_options.kernel_argument(self.arguments())
