"""Children that end with the process that started them (kut-debug, or gdb
for a replay kut-why starts again), even when it is killed with SIGKILL."""

import ctypes
import os

PR_SET_PDEATHSIG = 1

# Loaded before any fork: between fork and exec the child only makes system calls.
_libc = ctypes.CDLL(None, use_errno=True)


def tied_to_parent(death_signal, own_process_group=False):
    """A subprocess preexec_fn: the child gets death_signal when this process
    ends, and with own_process_group it leaves the terminal's foreground
    group, so that Ctrl-C at the terminal does not reach it."""
    parent_pid = os.getpid()

    def setup():
        if own_process_group:
            os.setpgid(0, 0)
        _libc.prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), death_signal)
    return setup
