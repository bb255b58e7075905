"""Remote-protocol packets one kut-load sends, counted from gdb's remote log.

gdb's `set remotelogfile` records every packet, including those sent while
a Python command runs with to_string=True (which `set debug remote` output
does not reach). Two marker packets bracket the kut-load so that only its
own traffic is counted.
"""

import collections
import os
import re
import sys
import tempfile

from gdb_session import add_symbol_file_command, kut_load_command
from measure import run_process
from guests import arm64_guests
from paths import ARM64_LOAD_ADDRESS, GDBINIT, program
from session import Qemu
from table import Row

MAX_MEMORY_READS = 3
BEGIN, END = "qKutBenchBegin", "qKutBenchEnd"
# Packets that read target memory: 'm' (hex) and 'x' (binary, newer gdb).
MEMORY_READS = ("m", "x")
_SENT = re.compile(r"^w \+?\$([^#]*)#", re.M)
_RECEIVED = re.compile(r"^r \+?\$([^#]*)#", re.M)


def packet_kind(packet):
    """'m', 'g', 'qRcmd', 'vCont', ...: the name without its arguments."""
    if packet[:1] in "qQv":
        return re.split(r"[:,;]", packet, maxsplit=1)[0]
    return packet[:1]


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


def packets_sent(flat, command, with_gdbinit, success):
    """(packets gdb sent while running command, in order; 'O' packets it got)."""
    with Qemu("aarch64", flat) as qemu, tempfile.TemporaryDirectory() as work:
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


def summary(packets, console=()):
    """'m x3, qRcmd x1, ...' and the monitor commands spelled out."""
    kinds = collections.Counter(packet_kind(packet) for packet in packets)
    text = ", ".join("%s x%d" % item for item in sorted(kinds.items())) or "none"
    monitor = [describe(packet) for packet in packets if packet.startswith("qRcmd,")]
    if monitor:
        text += "; %s, answered in %d console packets" % (", ".join(monitor), len(console))
    return text


def rows(label, elf, flat):
    kut, kut_console = packets_sent(flat, kut_load_command(elf), True, "kut-load: ")
    floor, _ = packets_sent(flat, add_symbol_file_command(elf, ARM64_LOAD_ADDRESS), False,
                            "add symbol table from file")
    reads = [packet for packet in kut if packet_kind(packet) in MEMORY_READS]
    return [
        Row("memory reads, %s" % label, len(reads), None, "reads",
            "<= %d" % MAX_MEMORY_READS, len(reads) <= MAX_MEMORY_READS,
            note=", ".join(reads) or "none"),
        Row("all packets, %s" % label, len(kut), len(floor), "packets", "informational",
            None, note="kut-load: %s; add-symbol-file: %s"
                       % (summary(kut, kut_console), summary(floor))),
    ]


def run(repeat=None):
    """Counts are the same every time, so one run of each is enough."""
    return [row for label, (elf, flat) in arm64_guests().items()
            for row in rows(label, elf, flat)]


if __name__ == "__main__":
    from table import render
    print(render(run()))
    sys.exit(0)
