"""The QEMU command of a recording and of its replay, and what record/replay refuses."""

import os

import pytest

from kut_load import arches

from kut_debug.record import qemu_argv, recording

ARM = ("/usr/bin/qemu-system-aarch64 -nodefaults -machine virt -accel tcg -cpu max "
       "-device virtio-serial-device -device virtconsole,chardev=ctd -chardev testdev,id=ctd "
       "-device pci-testdev -display none -serial stdio -kernel arm/gic.flat -smp 1 "
       "-append mmio -machine gic-version=2 -initrd /tmp/tmp.X").split()
X86 = ("/usr/bin/qemu-system-x86_64 -nodefaults -device isa-debug-exit,iobase=0xf4,iosize=0x4 "
       "-machine accel=tcg -kernel x86/msr.flat -smp 1").split()


def test_record_drops_the_virtio_console_and_adds_icount_and_the_snapshot_drive():
    recorded = qemu_argv.record_argv(ARM, "/r/replay.bin", "/r/snapshot.qcow2")
    assert "virtio-serial-device" not in recorded
    assert not any("testdev,id=ctd" in word or "virtconsole" in word for word in recorded)
    assert "pci-testdev" in recorded
    assert recorded[-4:] == ["-icount",
                             "shift=auto,rr=record,rrfile=/r/replay.bin,rrsnapshot=init",
                             "-drive", "file=/r/snapshot.qcow2,if=none,id=kutrr"]
    assert recorded[recorded.index("-append") + 1] == "mmio"


def test_replay_is_the_recorded_command_with_rr_replay():
    recorded = qemu_argv.record_argv(ARM, "/r/replay.bin", "/r/snapshot.qcow2")
    replayed = qemu_argv.replay_argv(recorded)
    assert replayed[:-3] == recorded[:-3]
    assert replayed[-3] == "shift=auto,rr=replay,rrfile=/r/replay.bin,rrsnapshot=init"


def test_commas_in_paths_are_doubled():
    recorded = qemu_argv.record_argv(ARM, "/r,1/replay.bin", "/r,1/s.qcow2")
    assert "rrfile=/r,,1/replay.bin" in recorded[-3]
    assert recorded[-1].startswith("file=/r,,1/s.qcow2,")


def test_every_architecture_is_recorded_but_where_qemu_cannot_replay_it():
    for arch in arches.ARCHES:
        program = "/usr/bin/qemu-system-" + arch.name.replace("-", "_")
        reason = qemu_argv.program_refusal(program)
        if arch.replay_refusal is None:
            assert reason is None
        else:
            assert reason.startswith(os.path.basename(program) + ": ") \
                and arch.replay_refusal in reason
    assert {arch.name for arch in arches.ARCHES if arch.replay_refusal} == {"ppc64"}


def test_a_qemu_that_exits_before_the_guest_ran_is_named_by_its_error():
    console = ("qemu-system-riscv64: warning: a warning first\n"
               "qemu-system-riscv64: unable to find CPU model 'max'\n")
    assert qemu_argv.startup_error(console) == "qemu-system-riscv64: unable to find CPU model 'max'"
    assert qemu_argv.startup_error("qemu-system-x86_64: warning: only a warning\n") is None
    assert qemu_argv.startup_error("qemu-system-x86_64: an error\nenabling apic\n") is None
    assert qemu_argv.startup_error("") is None


def test_x86_gets_no_reboot_once():
    assert qemu_argv.record_argv(X86, "f", "d")[1] == "-no-reboot"
    kept = qemu_argv.record_argv(X86[:1] + ["--no-reboot"] + X86[1:], "f", "d")
    assert kept.count("-no-reboot") + kept.count("--no-reboot") == 1
    assert "-no-reboot" not in qemu_argv.record_argv(ARM, "f", "d")


@pytest.mark.parametrize("words, named", [
    (["-smp", "2"], "-smp 2: QEMU's record/replay refuses more than one CPU"),
    (["-smp", "cpus=4,sockets=1"], "-smp cpus=4,sockets=1:"),
    (["-accel", "kvm"], "-accel kvm: QEMU records only under TCG"),
    (["-machine", "virt,accel=kvm:tcg"], "-accel kvm:"),
    (["-enable-kvm"], "-accel kvm:"),
    (["-icount", "shift=0"], "-icount shift=0: the command already sets icount"),
    (["-drive", "file=fat:rw:efi-tests/sieve,format=raw,if=virtio"], "vvfat"),
    (["-drive", "file=/usr/share/OVMF/OVMF_CODE.fd,format=raw,if=pflash"], "blkreplay"),
])
def test_refusals_are_one_line_naming_the_option(words, named):
    argv = ["/usr/bin/qemu-system-aarch64", "-kernel", "k.flat"] + words
    reason = qemu_argv.refusal(argv)
    assert reason is not None and named in reason and "\n" not in reason
    with pytest.raises(qemu_argv.Refused):
        qemu_argv.record_argv(argv, "f", "d")


def test_one_cpu_and_tcg_are_recordable():
    assert qemu_argv.refusal(ARM) is None
    assert qemu_argv.refusal(ARM + ["-smp", "1,sockets=1"]) is None


def test_replay_of_a_command_that_never_recorded_is_refused():
    with pytest.raises(qemu_argv.Refused):
        qemu_argv.replay_argv(ARM)


def test_initrd_is_replaced():
    assert qemu_argv.initrd_of(ARM) == "/tmp/tmp.X"
    changed = qemu_argv.with_initrd(ARM, "/r/initrd")
    assert qemu_argv.initrd_of(changed) == "/r/initrd"
    assert qemu_argv.initrd_of(X86) is None


def test_exit_status_is_the_last_exit_line():
    assert qemu_argv.exit_status("PASS: a\nEXIT: STATUS=1\n\nEXIT: STATUS=3\n") == 3
    assert qemu_argv.exit_status("SUMMARY: 1 tests\n") is None


def test_fail_line_difference():
    assert qemu_argv.fail_line_difference(["FAIL: a"], ["FAIL: a"]) is None
    assert "FAIL line 1 is \"FAIL: b\"" in qemu_argv.fail_line_difference(["FAIL: a"],
                                                                          ["FAIL: b"])
    assert "printed 0 FAIL lines where the log has 1" in \
        qemu_argv.fail_line_difference(["FAIL: a"], [])


def test_a_moved_recording_replays_its_own_files(tmp_path):
    old, new = tmp_path / "logs" / "T.rr", tmp_path / "logs.old" / "T.rr"
    recorded = qemu_argv.record_argv(ARM, str(old / "replay.bin"), str(old / "snapshot.qcow2"))
    new.mkdir(parents=True)
    (new / "replay.bin").write_bytes(b"")
    recording.Recording(str(new)).save_metadata(argv=recorded)
    argv = recording.Recording(str(new)).metadata()["argv"]
    assert str(old) not in " ".join(argv)
    assert "rrfile=%s/replay.bin" % new in " ".join(argv)
    assert "file=%s/snapshot.qcow2" % new in " ".join(argv)
