"""Whether the QEMU kut-debug started runs what a log's command ran."""

from kut_debug.tree import same_run
from kut_debug.tree.qemu_command import command_from_log_line
from kvm_unit_tests_files import GIC_COMMAND, GTK

LOG_LINE = ("timeout -k 1s --foreground 90s /usr/bin/qemu-system-aarch64 -nodefaults -machine virt"
            " -accel tcg -cpu max -kernel arm/gic.flat -smp 1 -append mmio -machine "
            "gic-version=2 # -initrd /tmp/tmp.kHqzPcXg7n")
STUB = ["-S", "-gdb", "tcp:127.0.0.1:4321"]
STARTED = ["/usr/bin/qemu-system-aarch64", "-nodefaults", "-machine", "virt", "-accel", "tcg",
           "-cpu", "max", "-kernel", "arm/gic.flat", "-smp", "1", "-append", "mmio", "-machine",
           "gic-version=2"] + STUB + ["-initrd", "/tmp/tmp.other"]


def test_same_run_ignores_timeout_stub_and_initrd():
    assert same_run.difference(LOG_LINE, STARTED, STUB) is None
    spaced = LOG_LINE.replace("-append mmio", "-append mmio extra")
    assert same_run.difference(spaced, [w if w != "mmio" else "mmio extra" for w in STARTED],
                               STUB) is None


def test_same_run_names_the_first_difference():
    other = [w if w != "max" else "cortex-a57" for w in STARTED]
    assert same_run.difference(LOG_LINE, other, STUB) == "word 8 is cortex-a57, the log has max"
    assert same_run.difference(LOG_LINE, STARTED + ["-m", "1G"], STUB) == "it adds -m 1G"
    assert same_run.difference(LOG_LINE, STARTED[:-7] + STUB, STUB) == \
        "it lacks -machine gic-version=2"


def test_no_difference_with_qemu_lines_above_in_the_log():
    started = command_from_log_line(GIC_COMMAND) + ["-S", "-gdb", "tcp:127.0.0.1:1234",
                                                    "-initrd", "/tmp/tmp.other"]
    assert same_run.difference(GIC_COMMAND, started, ["-S", "-gdb", "tcp:127.0.0.1:1234"]) is None
    assert same_run.difference(GTK, started, ["-S", "-gdb", "tcp:127.0.0.1:1234"]) == \
        "it adds " + " ".join(command_from_log_line(GIC_COMMAND))
