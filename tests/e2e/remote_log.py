"""The packets gdb sends for a command, read from gdb's own log of the remote
protocol (`set remotelogfile`), which also holds those sent while a Python
command runs with to_string=True. Two marker packets bracket the command."""

import os
import re
import tempfile

from session import GDBINIT, run_gdb

BEGIN, END = "qKutTestBegin", "qKutTestEnd"
_SENT = re.compile(r"^w \+?\$([^#]*)#", re.M)


def packets_sent(port, commands, before=(), gdbinit=GDBINIT, cwd=None):
    """(packets gdb sent for commands, in order; everything gdb printed),
    after the commands before, run once connected."""
    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "remote.log")
        # The log is opened with the connection, so it is set first.
        out = run_gdb(port, ["set remotelogfile " + log, "target remote 127.0.0.1:%d" % port]
                      + list(before) + ["maint packet " + BEGIN] + list(commands)
                      + ["maint packet " + END], gdbinit=gdbinit, cwd=cwd, connect=False,
                      timeout=240)
        with open(log, errors="replace") as text:
            sent = _SENT.findall(text.read())
    begin, end = sent.index(BEGIN), sent.index(END)
    return sent[begin + 1:end], out


def register_reads(packets):
    """The whole-register-file reads (g) among packets."""
    return [packet for packet in packets if packet == "g"]


def requests(packets):
    """The packets kut-load asks for: gdb 16 selects the thread (Hg) once before
    a session's first memory read, whoever asks for it, a protocol step of gdb's."""
    return [packet for packet in packets if not packet.startswith("Hg")]
