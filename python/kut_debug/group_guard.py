"""A process that ends QEMU's process group when kut-debug ends, however it
ends: a run script starts QEMU as its own child, which PR_SET_PDEATHSIG on
the script does not reach.

The guard reads a pipe whose only writer is kut-debug; end of file means
kut-debug is gone. It then sends SIGTERM to the group, so that a run script
still runs its EXIT trap (which deletes the -initrd file), and SIGKILL after
a grace period."""

import os
import subprocess
import sys

# A loaded machine may take seconds to end QEMU before the script's trap runs.
GRACE_SECONDS = 5

# Runs in its own interpreter, so it has nothing of kut-debug's state.
GUARD_PROGRAM = """
import os, signal, sys, time
os.read(0, 1)
group = int(sys.argv[1])
for signum, pause in ((signal.SIGTERM, float(sys.argv[2])), (signal.SIGKILL, 0)):
    try:
        os.killpg(group, signum)
    except OSError:
        break
    time.sleep(pause)
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
