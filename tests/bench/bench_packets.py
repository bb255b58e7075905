"""Remote-protocol packets one kut-load sends, counted from gdb's remote log.

gdb's `set remotelogfile` records every packet, including those sent while
a Python command runs with to_string=True (which `set debug remote` output
does not reach). Two marker packets bracket the kut-load so that only its
own traffic is counted.
"""

import os
import re
import sys
import tempfile

from gdb_session import add_symbol_file_command, kut_load_command
from measure import run_process
from guests import arm64_guests, sample_guests
from paths import ARM64_LOAD_ADDRESS, GDBINIT, program
from session import Qemu
from table import Row

# Packets kut-load sends beyond what add-symbol-file does, in a user's usual
# `kut-load X.elf`: the goal, and the bar.
GOAL_EXTRA = 2
ACCEPT_EXTRA = 3
BEGIN, END = "qKutBenchBegin", "qKutBenchEnd"
_SENT = re.compile(r"^w \+?\$([^#]*)#", re.M)
_RECEIVED = re.compile(r"^r \+?\$([^#]*)#", re.M)


def between_markers(log):
    """The log lines of what happened after the begin marker and before the end one."""
    begin, end = log.find("$%s#" % BEGIN), log.find("$%s#" % END)
    if begin < 0 or end < 0:
        raise SystemExit("the remote log has no marker packets:\n" + log[-2000:])
    return log[log.index("\n", begin) + 1:log.rindex("\n", 0, end) + 1]


def console_output_packets(log_part):
    """'O' packets: QEMU's monitor streams its answer one line per packet."""
    return [p for p in _RECEIVED.findall(log_part) if p.startswith("O") and p != "OK"]


def describe(packet):
    """A readable form: memory reads as-is, monitor commands decoded from hex."""
    if packet.startswith("qRcmd,"):
        return "qRcmd '%s'" % bytes.fromhex(packet[len("qRcmd,"):]).decode(errors="replace")
    return packet


def packets_sent(qemu_arch, flat, command, with_gdbinit, success):
    """(packets gdb sent while running command, in order; 'O' packets it got)."""
    with Qemu(qemu_arch, flat) as qemu, tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "remote.log")
        argv = [program("gdb-multiarch"), "-nx", "-batch"]
        if with_gdbinit:
            argv += ["-x", GDBINIT]
        # remotelogfile is opened when the connection is, so set it first.
        argv += ["-ex", "set remotelogfile " + log,
                 "-ex", "target remote 127.0.0.1:%d" % qemu.port,
                 "-ex", "maint packet " + BEGIN,
                 "-ex", command,
                 "-ex", "maint packet " + END]
        run = run_process(argv)
        if run.status != 0 or success not in run.output:
            raise SystemExit("%s failed:\n%s" % (command, run.output))
        with open(log, errors="replace") as text:
            part = between_markers(text.read())
        return _SENT.findall(part), console_output_packets(part)


def listing(packets, console=()):
    """The packets in order, monitor commands spelled out."""
    text = ", ".join(describe(packet) for packet in packets) or "none"
    if console:
        text += " (the monitor answered in %d console packets)" % len(console)
    return text


def round_trip_row(name, kut, kut_console, floor):
    """Each packet gdb sends waits for its answer: one round trip each."""
    extra = len(kut) - len(floor)
    return Row(name, extra, None, "round trips",
               "<= %d" % GOAL_EXTRA, extra <= GOAL_EXTRA, "<= %d" % ACCEPT_EXTRA,
               extra <= ACCEPT_EXTRA,
               note="kut-load: %s; add-symbol-file: %s"
                    % (listing(kut, kut_console), listing(floor)))


def rows_for(label, qemu_arch, elf, flat, offset):
    kut, kut_console = packets_sent(qemu_arch, flat, kut_load_command(elf), True, "kut-load: ")
    floor, _ = packets_sent(qemu_arch, flat, add_symbol_file_command(elf, offset), False,
                            "add symbol table from file")
    rows = [round_trip_row("round trips beyond add-symbol-file, %s" % label, kut, kut_console,
                           floor)]
    if label.startswith("arm64 sample"):
        # The no-argument form asks QEMU which file it loaded: one more, by design.
        bare, bare_console = packets_sent(qemu_arch, flat, "kut-load", True, "kut-load: ")
        rows.append(Row("round trips beyond add-symbol-file, %s, no ELF given" % label,
                        len(bare) - len(floor), None,
                        "round trips", "informational", None,
                        note="kut-load: %s" % listing(bare, bare_console)))
    return rows


def run(repeat=None):
    """Counts are the same every time, so one run of each is enough."""
    rows = []
    for arch, (qemu_arch, elf, flat, offset) in sample_guests().items():
        rows += rows_for("%s sample guest" % arch, qemu_arch, elf, flat, offset)
    for label, (elf, flat) in arm64_guests().items():
        if label != "sample":
            rows += rows_for("arm64 %s guest" % label, "aarch64", elf, flat, ARM64_LOAD_ADDRESS)
    return rows


if __name__ == "__main__":
    from table import render
    print(render(run()))
    sys.exit(0)
