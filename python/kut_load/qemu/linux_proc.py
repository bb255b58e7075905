"""What Linux's /proc tells about other processes (proc(5)): a process's
command line, working directory, open sockets and process group, and which
TCP sockets have a local port. Each reader answers None or an empty set for
a process that is gone or not readable, never an exception."""

import os

TCP_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")
TCP_LISTEN = "0A"  # the st column of a listening socket (include/net/tcp_states.h)


def command_line(pid, errors="surrogateescape"):
    """argv of process pid (/proc/PID/cmdline, each word NUL-ended), or None."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
            words = cmdline.read().decode(errors=errors).split("\0")
    except (OSError, TypeError):
        return None
    return words[:-1] if words[-1:] == [""] else words


def working_directory(pid):
    """The working directory of process pid (/proc/PID/cwd), or None."""
    try:
        return os.readlink("/proc/%d/cwd" % pid)
    except (OSError, TypeError):
        return None


def start_time(pid):
    """When process pid started (/proc/PID/stat's starttime, in clock ticks
    since boot), as text, or None: a pid used again by another process has
    another."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError, TypeError):
        return None


def socket_inodes_of(pid):
    """Inodes (as text) of the sockets process pid has open (/proc/PID/fd)."""
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


def tcp_socket_inodes(port, listening=False):
    """Inodes of the IPv4 and IPv6 TCP sockets whose local port is port, only
    listening ones if listening; /proc/net/tcp prints the port in hex."""
    inodes = set()
    for table in TCP_TABLES:
        try:
            with open(table) as rows:
                next(rows, None)  # the column titles
                for row in rows:
                    fields = row.split()
                    if (len(fields) > 9 and int(fields[1].rsplit(":", 1)[1], 16) == port
                            and (not listening or fields[3] == TCP_LISTEN)):
                        inodes.add(fields[9])
        except (OSError, ValueError, IndexError):
            continue
    return inodes


def process_ids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def running(pid):
    """Whether process pid exists and has not exited (a zombie has)."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError, TypeError):
        return False


def process_group_members(pgid, live=False):
    """Pids of the processes in process group pgid (/proc/PID/stat's 5th field);
    with live, not those that have exited (zombies)."""
    members = []
    for pid in process_ids():
        try:
            with open("/proc/%d/stat" % pid) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and not (live and fields[0] == "Z"):
            members.append(pid)
    return members


def owner_of_sockets(inodes, pids=None):
    """The first process of pids (default: every process but this one) that
    holds one of the socket inodes, or None."""
    for pid in process_ids() if pids is None else pids:
        if pid != os.getpid() and socket_inodes_of(pid) & inodes:
            return pid
    return None
