"""A replaying QEMU's command line, rewritten to replay again under a stub of
kut-why's own."""

from kut_load.qemu import options as qemu_options, replay_argv

REPLAY = ("qemu-system-x86_64 -nodefaults -kernel x86/msr.flat -append '-S' "
          "-icount shift=auto,rr=replay,rrfile=r/replay.bin,rrsnapshot=init "
          "-drive file=r/snapshot.qcow2,if=none,id=rr -S -gdb tcp:127.0.0.1:1234").split()


def test_a_replay_is_told_from_a_recording_and_a_plain_run():
    assert replay_argv.is_replay(REPLAY)
    recording = [word.replace("rr=replay", "rr=record") for word in REPLAY]
    assert not replay_argv.is_replay(recording)
    assert not replay_argv.is_replay(["qemu-system-x86_64", "-kernel", "x.flat", "-s", "-S"])
    # -icount's value, not a word of another option's.
    assert not replay_argv.is_replay(["qemu-system-x86_64", "-append", "rr=replay"])


def test_the_stub_is_replaced_and_the_guest_waits_once():
    again = replay_argv.restarted(REPLAY, 4321)
    names = [item.name for item in qemu_options.items(again[1:])]
    assert names.count("-S") == 1 and names.count("-gdb") == 1
    assert again[-3:] == ["-gdb", "tcp:127.0.0.1:4321", "-S"]
    # Everything else as it was, in order; an -append value that looks like -S too.
    kept = [word for word in again[:-3]]
    assert kept == REPLAY[:-3]


def test_a_stub_started_with_s_is_replaced_too():
    again = replay_argv.restarted(["qemu-system-riscv64", "-s", "-kernel", "k.flat"], 5)
    assert again == ["qemu-system-riscv64", "-kernel", "k.flat", "-gdb", "tcp:127.0.0.1:5", "-S"]
