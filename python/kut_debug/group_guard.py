"""A process that ends QEMU's process group when kut-debug ends, however it
ends: a run script starts QEMU as its own child, which PR_SET_PDEATHSIG on
the script does not reach.

The guard reads a pipe whose only writer is kut-debug, which writes QEMU's
pid there once QEMU listens; end of file means kut-debug is gone. The guard
then sends SIGTERM to QEMU alone: the group's leader already got one from
PR_SET_PDEATHSIG, and a run script's EXIT trap (which deletes the -initrd
file) must run undisturbed, the rm it starts included. Whatever is left of
the group after a grace period gets SIGKILL."""

import os
import subprocess
import sys

# A loaded machine may take seconds to end QEMU before the script's trap runs.
GRACE_SECONDS = 15

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
for pid in members():
    if pid in qemu or (not qemu and pid != group):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
deadline = time.monotonic() + float(sys.argv[2])
while members() and time.monotonic() < deadline:
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
                          str(GRACE_SECONDS)], stdin=read_end, stdout=subprocess.DEVNULL, cwd="/",
                         stderr=subprocess.DEVNULL, start_new_session=True)
    finally:
        os.close(read_end)
    return write_end


def tell_qemu(guard, pid):
    """Tells the guard (start()'s descriptor) which member of the group is QEMU."""
    os.write(guard, b"%d\n" % pid)
