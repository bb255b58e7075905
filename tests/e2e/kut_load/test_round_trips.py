"""What kut-load asks a remote QEMU, from gdb's own log of the remote
protocol: each packet gdb sends waits for its answer, a round trip over the
network. `kut-load X.elf` may ask at most two more than add-symbol-file; it
reads the registers again only where a monitor command may have reset the
guest behind gdb's back."""

import os
import tempfile

import pytest

from conftest import guest_file
from remote_log import packets_sent as packets_sent_to, register_reads, requests
from session import GDBINIT, Qemu, gdb_major

# Guest directory -> (QEMU, add-symbol-file's offset: a PIE at 0, or linked in place).
ARCHES = {
    "arm64": ("aarch64", 0x40080000),
    "arm": ("arm", 0),
    "riscv64": ("riscv64", 0x80200000),
    "x86_64": ("x86_64", 0),
}


def packets_sent(qemu, command, before=(), gdbinit=GDBINIT):
    return packets_sent_to(qemu.port, [command], before, gdbinit)


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
    asked = requests(kut)
    if gdb_major() < 11:
        # gdb 10 analyses the code of frames 0 and 1 again where kut-load asks which frame
        # is selected (`frame`), instruction by instruction: gdb's reads, not kut-load's.
        asked = [packet for packet in asked
                 if not (packet.startswith("m") and int(packet.split(",")[1], 16) <= 4)]
    # No register read: no monitor command ran since gdb read them at the connection.
    assert not register_reads(asked), (kut, floor)
    assert len(asked) - len(floor) <= 2, (kut, floor)
    # The thread list only for fallbacks; memory reads of one packet each.
    assert not [packet for packet in kut if packet.startswith(("qfThreadInfo", "qsThreadInfo"))]
    reads = [packet for packet in kut if packet.startswith("m")]
    assert all(int(packet.split(",")[1], 16) <= 0x800 for packet in reads), reads


@pytest.mark.parametrize("arch", ["arm64", "riscv64"])
def test_a_monitor_command_makes_kut_load_read_the_registers_again(arch):
    """gdb keeps the registers of its last stop across a reset it never saw."""
    qemu_arch, _ = ARCHES[arch]
    elf, flat = guest_file(arch, "sample.elf"), guest_file(arch, "sample.flat")
    with Qemu(qemu_arch, flat) as qemu:
        kut, out = packets_sent(qemu, "kut-load " + elf, before=["monitor system_reset"])
    assert "kut-load: %s at" % elf in out, out
    assert len(register_reads(kut)) == 1, kut
    with Qemu(qemu_arch, flat) as qemu:
        # A stop gdb sees reads the registers: fresh again.
        kut, out = packets_sent(qemu, "kut-load " + elf,
                                before=["monitor system_reset", "stepi"])
    assert "kut-load: %s at" % elf in out, out
    assert not register_reads(kut), kut


USER_HOOK = "define hookpost-monitor\necho the user's hook ran\\n\nend\n"


@pytest.mark.parametrize("user_hook_first", [True, False], ids=["before-gdbinit", "after-gdbinit"])
def test_a_users_own_monitor_hook_stays_and_kut_load_reads_the_registers(user_hook_first):
    """kut-load never replaces a user's hookpost-monitor; without its own it
    cannot know whether a monitor command reset the guest."""
    elf, flat = guest_file("riscv64", "sample.elf"), guest_file("riscv64", "sample.flat")
    sourced = "source %s\n" % GDBINIT
    with tempfile.TemporaryDirectory() as work, Qemu("riscv64", flat) as qemu:
        init = os.path.join(work, "gdbinit")
        with open(init, "w") as text:
            text.write(USER_HOOK + sourced if user_hook_first else sourced + USER_HOOK)
        kut, out = packets_sent(qemu, "kut-load " + elf, gdbinit=init,
                                before=["monitor info version", "stepi"])
    assert "kut-load: %s at" % elf in out, out
    assert "the user's hook ran" in out, out
    assert len(register_reads(kut)) == 1, kut
