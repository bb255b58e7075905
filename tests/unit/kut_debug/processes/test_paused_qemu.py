"""What kut-debug says when QEMU or a run script exits before its gdb stub
listens: QEMU's messages on the first line, the command on its own."""

from kut_debug.processes.paused_qemu import exit_report

# riscv/run on QEMU 7.2, whose riscv has no -cpu max: its echo, then QEMU's error.
RISCV_RUN_OUTPUT = (
    "/usr/bin/qemu-system-riscv64 -nodefaults -nographic -serial mon:stdio -machine virt "
    "-accel tcg -cpu max -kernel riscv/sbi.flat -smp 1 -S -gdb tcp:127.0.0.1:4000 "
    "# -initrd /tmp/tmp.x\n"
    "qemu-system-riscv64: unable to find CPU model 'max'\n")


def test_qemus_error_comes_first_and_the_command_on_its_own_line():
    first, second = exit_report("./riscv-run", RISCV_RUN_OUTPUT).split("\n")
    assert first == ("./riscv-run exited at once: qemu-system-riscv64: unable to find CPU model "
                     "'max'; `/usr/bin/qemu-system-riscv64 -cpu help` lists the CPU models it has "
                     "(riscv/run takes one in TARGET_CPU_OVERRIDE)")
    assert second == "  its command: " + RISCV_RUN_OUTPUT.split("\n")[0]


def test_output_without_a_command_is_one_line():
    assert exit_report("QEMU", "qemu-system-x86_64: -foo: invalid option\n") == (
        "QEMU exited at once: qemu-system-x86_64: -foo: invalid option")
    assert exit_report("QEMU", "") == "QEMU exited at once: it printed nothing"


def test_a_kvm_run_that_exits_names_tcg():
    text = ("/usr/bin/qemu-system-x86_64 -machine accel=kvm -kernel x86/msr.flat -cpu max\n"
            "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\nQEMU Aborted\n")
    first = exit_report("./x86-run", text).split("\n")[0]
    assert first.endswith("QEMU Aborted; under KVM: ACCEL=tcg runs the test under TCG instead")
