"""The local QEMU process behind a gdb connection, found through /proc: its
working directory is where QEMU's relative file names point, and its command
line names the -kernel file when QEMU's ROM list does not."""

from kut_load.qemu import linux_proc, options as qemu_options

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


class QemuProcess:
    """What /proc says about the QEMU behind a local gdb connection: its
    working directory and its -kernel argument; None where it cannot tell."""

    def __init__(self, details):
        port = port_of(details)
        inodes = linux_proc.tcp_socket_inodes(port) if port is not None else set()
        self.pid = linux_proc.owner_of_sockets(inodes) if inodes else None

    def working_directory(self):
        return linux_proc.working_directory(self.pid) if self.pid else None

    def arguments(self):
        """QEMU's command line, or [] when it cannot be read."""
        return (linux_proc.command_line(self.pid) if self.pid else None) or []

    def kernel_argument(self):
        """QEMU's -kernel argument, or None."""
        return qemu_options.kernel_argument(self.arguments())
