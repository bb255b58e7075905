"""What kut-load asks a remote QEMU, from gdb's own log of the remote
protocol: each packet gdb sends waits for its answer, a round trip over the
network. `kut-load X.elf` may ask at most three more than add-symbol-file, one of
them the register read after it drops gdb's cached registers."""

import os
import re
import tempfile

import pytest

from conftest import guest_file
from session import Qemu, gdb_major, run_gdb

# Guest directory -> (QEMU, add-symbol-file's offset: a PIE at 0, or linked in place).
ARCHES = {
    "arm64": ("aarch64", 0x40080000),
    "arm": ("arm", 0),
    "riscv64": ("riscv64", 0x80200000),
    "x86_64": ("x86_64", 0),
}
BEGIN, END = "qKutTestBegin", "qKutTestEnd"
_SENT = re.compile(r"^w \+?\$([^#]*)#", re.M)


def packets_sent(qemu, command):
    """(packets gdb sent for command, in order; everything gdb printed)."""
    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "remote.log")
        # The log is opened with the connection, so it is set first.
        out = run_gdb(qemu.port, ["set remotelogfile " + log,
                                  "target remote 127.0.0.1:%d" % qemu.port,
                                  "maint packet " + BEGIN, command, "maint packet " + END],
                      connect=False)
        with open(log, errors="replace") as text:
            sent = _SENT.findall(text.read())
    begin, end = sent.index(BEGIN), sent.index(END)
    return sent[begin + 1:end], out


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_at_most_two_round_trips_more_than_add_symbol_file(arch):
    qemu_arch, offset = ARCHES[arch]
    elf, flat = guest_file(arch, "sample.elf"), guest_file(arch, "sample.flat")
    with Qemu(qemu_arch, flat) as qemu:
        kut, out = packets_sent(qemu, "kut-load " + elf)
    with Qemu(qemu_arch, flat) as qemu:
        floor, floor_out = packets_sent(qemu, "add-symbol-file %s -o %#x" % (elf, offset))
    assert "kut-load: %s at" % elf in out, out
    assert "add symbol table from file" in floor_out, floor_out
    # gdb 16 selects the thread (Hg) once before a session's first memory read,
    # whoever asks for it: gdb's protocol step, not a request of kut-load's.
    requests = [packet for packet in kut if not packet.startswith("Hg")]
    if gdb_major() < 11:
        # gdb 10 analyses the code of frames 0 and 1 again where kut-load asks which frame
        # is selected (`frame`), instruction by instruction: gdb's reads, not kut-load's.
        requests = [packet for packet in requests
                    if not (packet.startswith("m") and int(packet.split(",")[1], 16) <= 4)]
    # One register read (g): kut-load drops gdb's cached registers, which a
    # reset gdb did not see (monitor system_reset) leaves stale.
    assert requests.count("g") == 1, (kut, floor)
    assert len(requests) - len(floor) <= 3, (kut, floor)
    # The thread list only for fallbacks; memory reads of one packet each.
    assert not [packet for packet in kut if packet.startswith(("qfThreadInfo", "qsThreadInfo"))]
    reads = [packet for packet in kut if packet.startswith("m")]
    assert all(int(packet.split(",")[1], 16) <= 0x800 for packet in reads), reads
