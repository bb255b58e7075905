"""QEMU's record/replay for kut-debug: the test's QEMU command rewritten to
record one run (-icount rr=record) and to replay it under gdb (rr=replay),
and what QEMU cannot record, refused before anything runs.

Pure: argv lists in, argv lists or one-line refusals out.
"""

import os
import re

from kut_load import arches
from kut_load.qemu import options as qemu_options
from kut_load.qemu.options import Item

from kut_debug.processes.paused_command import split_qemu_opts

# The block device that holds the snapshot the replay starts from.
DRIVE_ID = "kutrr"
SNAPSHOT = "init"

# arm/run's chr-testdev (the exit status channel): a virtconsole on a
# virtio-serial-device records, but its replay never starts the guest (observed
# with the testdev and with a null backend alike, QEMU 7.2), so it goes; the
# guest then powers off through PSCI and still prints EXIT: STATUS=N.
VIRTIO_SERIAL_DEVICES = ("virtio-serial-device", "virtio-serial", "virtio-serial-pci",
                         "virtconsole")

# QEMU's own lines on its standard error: "qemu-system-x86_64: [warning: ]TEXT".
QEMU_MESSAGE = re.compile(r"^qemu-system-[\w-]+: (warning: )?")
SMP_REASON = "Record/replay feature is not supported for 'smp'"
KVM_REASON = "icount is not allowed with hardware virtualization"


class Refused(ValueError):
    """A QEMU command that record/replay cannot run; str() is the one line."""


def _device_driver(value):
    return split_qemu_opts(value or "")[0]


def _chardev_backend(value):
    return split_qemu_opts(value or "")[0]


def _smp_cpus(value):
    """The CPU count of an -smp value ("2", "cpus=2,cores=2", "2,sockets=1")."""
    parts = split_qemu_opts(value or "")
    count = 1
    for index, part in enumerate(parts):
        key, _, number = part.partition("=")
        if index == 0 and not _ and key.isdigit():
            count = int(key)
        elif key in ("cpus", "maxcpus") and number.isdigit():
            count = max(count, int(number))
    return count


def _accelerators(items):
    found = []
    for item in items:
        if item.name == "-enable-kvm":
            found.append("kvm")
        elif item.name == "-accel" and item.value:
            found.append(split_qemu_opts(item.value)[0])
        elif item.name == "-machine" and item.value:
            for part in split_qemu_opts(item.value):
                if part.startswith("accel="):
                    found += part[len("accel="):].split(":")
    return found


def _is_vvfat_or_pflash(value):
    parts = split_qemu_opts(value or "")
    return any(part.startswith("file=fat:") or part == "if=pflash" or part == "driver=vvfat"
               for part in parts)


def program_refusal(program):
    """The one line refusing to record with this QEMU program, or None."""
    name = os.path.basename(program)
    arch = arches.of_qemu_program(name)
    if arch is None or arch.replay_refusal is None:
        return None
    return "%s: %s, so kut-debug does not record its tests" % (name, arch.replay_refusal)


def refusal(argv):
    """The one line saying why QEMU cannot record argv, or None."""
    reason = program_refusal(argv[0])
    if reason:
        return reason
    items = qemu_options.items(argv[1:])
    for item in items:
        if item.name == "-smp" and _smp_cpus(item.value) > 1:
            return ("-smp %s: QEMU's record/replay refuses more than one CPU (\"%s\"); record "
                    "a test whose smp is 1" % (item.value, SMP_REASON))
        if item.name in ("-icount", "-rr"):
            return ("%s %s: the command already sets icount, which recording replaces; drop it"
                    % (item.name, item.value))
        if item.name == "-incoming":
            return "-incoming: a migration target cannot be recorded"
        if item.name in ("-drive", "-blockdev") and _is_vvfat_or_pflash(item.value):
            return ("%s %s: an EFI test's firmware flash and vvfat directory are drives that "
                    "QEMU's record/replay cannot put behind blkreplay; record a test built "
                    "without --enable-efi" % (item.name, item.value))
        if item.name == "-pflash":
            return ("-pflash %s: firmware flash is a drive QEMU's record/replay cannot put "
                    "behind blkreplay" % item.value)
    for accel in _accelerators(items):
        if accel not in ("tcg",):
            return ("-accel %s: QEMU records only under TCG (\"%s\"); run with ACCEL=tcg"
                    % (accel, KVM_REASON))
    return None


def check(argv):
    reason = refusal(argv)
    if reason:
        raise Refused(reason)


def is_x86(argv):
    return os.path.basename(argv[0]) in ("qemu-system-x86_64", "qemu-system-i386")


def _kept(item):
    if item.name == "-device" and _device_driver(item.value) in VIRTIO_SERIAL_DEVICES:
        return False
    if item.name == "-chardev" and _chardev_backend(item.value) == "testdev":
        return False
    return True


def without_replay_breakers(argv):
    """argv without what records but does not replay (arm's chr-testdev)."""
    items = qemu_options.items(argv[1:])
    return argv[:1] + qemu_options.words([item for item in items if _kept(item)])


def rr_words(mode, log_file, snapshot_disk):
    """-icount and the snapshot drive of one record (mode "record") or replay."""
    return ["-icount", "shift=auto,rr=%s,rrfile=%s,rrsnapshot=%s" % (
                mode, log_file.replace(",", ",,"), SNAPSHOT),
            "-drive", "file=%s,if=none,id=%s" % (snapshot_disk.replace(",", ",,"), DRIVE_ID)]


def record_argv(argv, log_file, snapshot_disk):
    """argv recording one run into log_file, its start snapshot in snapshot_disk.
    x86 resets at the test's end unless told not to, and a reset starts the
    recording over."""
    check(argv)
    result = without_replay_breakers(argv)
    names = {item.name for item in qemu_options.items(result[1:])}
    if is_x86(result) and not names & {"-no-reboot", "--no-reboot"}:
        result = result[:1] + ["-no-reboot"] + result[1:]
    return result + rr_words("record", log_file, snapshot_disk)


def replay_argv(recorded):
    """The recorded run's argv, replaying it instead."""
    result = list(recorded)
    for index in range(len(result) - 1):
        if result[index] == "-icount" and ",rr=record," in result[index + 1]:
            result[index + 1] = result[index + 1].replace(",rr=record,", ",rr=replay,", 1)
            return result
    raise Refused("the recorded command has no -icount rr=record; record it again")


def initrd_of(argv):
    """The -initrd file of argv, or None."""
    for item in qemu_options.items(argv[1:]):
        if item.name == "-initrd":
            return item.value
    return None


def with_initrd(argv, path):
    items = qemu_options.items(argv[1:])
    return argv[:1] + qemu_options.words(
        [Item("-initrd", path) if item.name == "-initrd" else item for item in items])


def exit_status(console_text):
    """The guest's EXIT: STATUS=N (the run's exit status without chr-testdev), or None."""
    found = None
    for line in console_text.splitlines():
        if line.startswith("EXIT: STATUS="):
            value = line[len("EXIT: STATUS="):].strip()
            if value.isdigit():
                found = int(value)
    return found


def startup_error(console_text):
    """QEMU's error where it exited before the guest printed anything
    ("qemu-system-riscv64: unable to find CPU model 'max'"), or None."""
    lines = [line for line in console_text.splitlines() if line.strip()]
    if not lines or not all(QEMU_MESSAGE.match(line) for line in lines):
        return None
    errors = [line for line in lines if not QEMU_MESSAGE.match(line).group(1)]
    return errors[-1] if errors else None


def fail_line_difference(logged, recorded):
    """One line saying how the recorded run's FAIL lines differ from the log's, or None."""
    if logged == recorded:
        return None
    for number, (old, new) in enumerate(zip(logged, recorded), 1):
        if old != new:
            return ("its FAIL line %d is \"%s\" where the log's is \"%s\"" % (number, new, old))
    return ("it printed %d FAIL line%s where the log has %d"
            % (len(recorded), "" if len(recorded) == 1 else "s", len(logged)))
