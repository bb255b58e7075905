"""A process that ends QEMU's process group when kut-debug ends, however it
ends: a run script starts QEMU as its own child, which PR_SET_PDEATHSIG on
the script does not reach.

The guard reads a pipe whose only writer is kut-debug, which writes QEMU's
pid there once QEMU listens; end of file means kut-debug is gone. The guard
then sends SIGTERM to QEMU alone: the group's leader already got one from
PR_SET_PDEATHSIG, and a run script's EXIT trap (which deletes the -initrd
file) must run undisturbed, the rm it starts included. Whatever is left of
the group after a grace period gets SIGKILL. gdb, told to the guard too,
gets SIGTERM from PR_SET_PDEATHSIG; one that has not ended after its own
grace period (a user's Python command can keep it from noticing) gets
SIGKILL, if it is still the process the guard was told of."""

import os
import subprocess
import sys

from kut_load.qemu import linux_proc

# A loaded machine may take seconds to end QEMU before the script's trap runs.
GRACE_SECONDS = 15
# gdb ends at once on SIGTERM unless it is held, by then: it has no trap to run.
GDB_GRACE_SECONDS = 5

# Runs in its own interpreter, so it has nothing of kut-debug's state.
# Before QEMU listens its pid is unknown: then every member but the leader
# gets SIGTERM, as nothing of the script's trap can be running yet.
GUARD_PROGRAM = """
import os, signal, sys, time
told = b""
while True:
    chunk = os.read(0, 64)
    if not chunk:
        break
    told += chunk
group = int(sys.argv[1])

# /proc/PID/stat's starttime: a pid used again by another process has another.
def start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return None if fields[0] == "Z" else fields[19]
    except (OSError, IndexError):
        return None

def members():
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % entry) as stat:
                state, _, process_group = stat.read().rsplit(")", 1)[1].split()[:3]
            if int(process_group) == group and state != "Z":  # a zombie has ended
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return found

qemu = [int(pid) for pid in told.split() if pid.isdigit()]
gdb = [(int(pid), start) for _, pid, start in
       (word.decode().split(":") for word in told.split() if word.startswith(b"gdb:"))]
for pid in members():
    if pid in qemu or (not qemu and pid != group):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
now = time.monotonic()
deadline, gdb_deadline = now + float(sys.argv[2]), now + float(sys.argv[3])

def held():
    return [pid for pid, start in gdb if start_time(pid) == start]

while (members() or held()) and time.monotonic() < deadline:
    if time.monotonic() > gdb_deadline:
        for pid in held():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    time.sleep(0.05)
try:
    os.killpg(group, signal.SIGKILL)
except OSError:
    pass
"""


def start(process_group):
    """Starts the guard of process_group; returns the file descriptor whose
    closing (kut-debug ending, or QemuProcess.stop()) sets it off."""
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, False)
    try:
        subprocess.Popen([sys.executable, "-c", GUARD_PROGRAM, str(process_group),
                          str(GRACE_SECONDS), str(GDB_GRACE_SECONDS)], stdin=read_end,
                         stdout=subprocess.DEVNULL, cwd="/",
                         stderr=subprocess.DEVNULL, start_new_session=True)
    finally:
        os.close(read_end)
    return write_end


def tell_qemu(guard, pid):
    """Tells the guard (start()'s descriptor) which member of the group is QEMU."""
    os.write(guard, b"%d\n" % pid)


def tell_gdb(guard, pid):
    """Tells the guard which process is gdb, by pid and start time."""
    start = linux_proc.start_time(pid)
    if start is not None:  # else gdb has ended already
        os.write(guard, b"gdb:%d:%s\n" % (pid, start.encode()))
