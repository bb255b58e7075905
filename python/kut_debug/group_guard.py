"""A process that ends QEMU's process group when kut-debug ends, however it
ends: a run script starts QEMU as its own child, which PR_SET_PDEATHSIG on
the script does not reach.

The guard reads a pipe whose only writer is kut-debug; end of file means
kut-debug is gone. It then sends SIGTERM to the group but its leader, which
PR_SET_PDEATHSIG already sent it, so that a run script still runs its EXIT
trap (which deletes the -initrd file), and SIGKILL after a grace period."""

import os
import subprocess
import sys

# A loaded machine may take seconds to end QEMU before the script's trap runs.
GRACE_SECONDS = 15

# Runs in its own interpreter, so it has nothing of kut-debug's state. The
# group's leader (kut-debug's own child) already got SIGTERM from
# PR_SET_PDEATHSIG: a second one while bash runs its EXIT trap ends bash in
# the middle of it, so SIGTERM goes to the rest of the group only.
GUARD_PROGRAM = """
import os, signal, sys, time
os.read(0, 1)
group = int(sys.argv[1])
for entry in os.listdir("/proc"):
    if not entry.isdigit() or int(entry) == group:
        continue
    try:
        with open("/proc/%s/stat" % entry) as stat:
            process_group = int(stat.read().rsplit(")", 1)[1].split()[2])
        if process_group == group:
            os.kill(int(entry), signal.SIGTERM)
    except (OSError, ValueError, IndexError):
        pass
time.sleep(float(sys.argv[2]))
try:
    os.killpg(group, signal.SIGKILL)
except OSError:
    pass
"""


def start(process_group):
    """Starts the guard of process_group; returns the file descriptor whose
    closing (kut-debug ending, or release()) sets it off."""
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, False)
    try:
        subprocess.Popen([sys.executable, "-c", GUARD_PROGRAM, str(process_group),
                          str(GRACE_SECONDS)], stdin=read_end, stdout=subprocess.DEVNULL, cwd="/",
                         stderr=subprocess.DEVNULL, start_new_session=True)
    finally:
        os.close(read_end)
    return write_end
