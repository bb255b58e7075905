"""kut-debug reading logs as upstream run_tests.sh -v writes them, with the
lines copied from real logs: Debian QEMU's own lines above the command,
EFI firmware's terminal codes and probe runs, run_tests.sh's own output."""

import pytest

from kut_debug import kvm_tree, same_run, unittests_cfg
from kut_debug.errors import DebugError
from kut_debug.qemu_command import (accelerator, command_from_log_line, command_from_words,
                                    read_log_command)
from kut_load.break_fail.log import fail_lines, without_terminal_codes

GTK = "qemu: module ui-ui-gtk not found, do you want to install qemu-system-gui package?\n"
SDL = "qemu: module ui-ui-sdl not found, do you want to install qemu-system-gui package?\n"
# Upstream arm64 logs/gicv2-mmio-up.log, QEMU 7.2 TCG (lines 1-3, 24-33).
GIC_COMMAND = ("timeout -k 1s --foreground 90s /usr/bin/qemu-system-aarch64 -nodefaults -machine"
               " virt -accel tcg -cpu max -device virtio-serial-device -device"
               " virtconsole,chardev=ctd -chardev testdev,id=ctd -device pci-testdev -display none"
               " -serial stdio -kernel arm/gic.flat -smp 1 -append mmio -machine gic-version=2"
               " # -initrd /tmp/tmp.RDYMRnKh7L")
GIC_LOG = GTK + SDL + GIC_COMMAND + "\n" + """\
INFO: gicv2: mmio: number of implemented SPIs: 256
PASS: gicv2: mmio: ITARGETSR: bits for non-existent CPUs masked
INFO: gicv2: mmio: ITARGETSR: 31 non-existent CPUs
PASS: gicv2: mmio: ITARGETSR: accesses beyond limit RAZ/WI
FAIL: gicv2: mmio: ITARGETSR: register content preserved
INFO: gicv2: mmio: ITARGETSR: writing 01010001 reads back 00000001
PASS: gicv2: mmio: ITARGETSR: byte reads successful
FAIL: gicv2: mmio: ITARGETSR: byte writes successful
INFO: gicv2: mmio: ITARGETSR: writing 0x1f into bits 15:8 reads back 0x00
SUMMARY: 17 tests, 2 unexpected failures

EXIT: STATUS=3
"""
# Upstream x86_64 EFI logs/sieve.log: run_tests.sh's probe, which x86/efi/run runs from
# efi-tests/dummy, then the test; OVMF clears the screen in front of its first line.
OVMF = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01H\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01H"
EFI_COMMAND = ("timeout -k 1s --foreground 180 /usr/bin/qemu-system-x86_64 --no-reboot -nodefaults"
               " -global kvm-pit.lost_tick_policy=discard -device pc-testdev -device"
               " isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio -device"
               " pci-testdev -machine accel=tcg -drive"
               " file=/usr/share/ovmf/OVMF.fd,format=raw,if=pflash,readonly=on -drive"
               " file.dir=efi-tests/%s/,file.driver=vvfat,file.rw=on,format=raw,if=virtio"
               " -net none -nographic -m 256 -smp 1 -smp 1 ")
BDS = 'BdsDxe: loading Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x3,0x0)\r\n'
SIEVE_LOG = (EFI_COMMAND % "dummy" + "\n" + OVMF + BDS + "Address of image is: 0xd766000\r\n"
             "Dummy Hello World!\n" + EFI_COMMAND % "sieve" + "\n" + OVMF + BDS +
             "Address of image is: 0xd57d000\r\nstarting sieve\r\n")
# Upstream x86_64 logs/msr.log under ACCEL=tcg.
MSR_COMMAND = ("timeout -k 1s --foreground 90s /usr/bin/qemu-system-x86_64 --no-reboot -nodefaults"
               " -global kvm-pit.lost_tick_policy=discard -device pc-testdev -device"
               " isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio -device"
               " pci-testdev -machine accel=tcg -kernel x86/msr.flat -smp 1"
               " -cpu max,vendor=GenuineIntel # -initrd /tmp/tmp.mucDn3rP13")
# What ./run_tests.sh -v gicv2-mmio-up prints on stdout: its eval'd command, its summary.
RUN_TESTS_STDOUT = ("TESTNAME=gicv2-mmio-up TIMEOUT=90s MACHINE= ACCEL=tcg ./arm/run arm/gic.flat"
                    " -smp 1 -append mmio -machine gic-version=2\n"
                    "\x1b[31mFAIL\x1b[0m gicv2-mmio-up (17 tests, 2 unexpected failures)\n")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_qemu_lines_above_the_command_are_not_the_command(tmp_path):
    line, argv = read_log_command(write(tmp_path, "gicv2-mmio-up.log", GIC_LOG))
    assert line == GIC_COMMAND
    assert argv[0] == "/usr/bin/qemu-system-aarch64"
    assert argv[argv.index("-kernel") + 1] == "arm/gic.flat"
    assert argv[-4:] == ["-append", "mmio", "-machine", "gic-version=2"]


@pytest.mark.parametrize("line", [
    GTK, SDL,
    "qemu-system-aarch64: info: dtb dumped to efi-tests/selftest-setup/dtb. Exiting.\n",
    "qemu-system-x86_64: -drive file=x: Could not open 'x': No such file or directory\n",
    "qemu-system-x86_64 not found; set QEMU\n",
    "A QEMU binary was not found: install qemu-system-arm\n",
    "timeout: failed to run command 'qemu-system-aarch64': No such file or directory\n",
    RUN_TESTS_STDOUT.splitlines()[0],
    "INFO: run qemu-system-x86_64 -kernel x86/msr.flat\n",
])
def test_prose_that_names_qemu_is_no_command(line):
    assert command_from_log_line(line) is None


@pytest.mark.parametrize("launcher", [
    "",
    "timeout -k 1s --foreground 90s ",
    "timeout -k 1s --foreground 180 ",
    "timeout --kill-after=1s -s KILL --preserve-status 90s ",
    "run_migration timeout -k 1s --foreground 90s ",
    "run_panic ",
    "QEMU_AUDIO_DRV=none MACHINE= ",
    "env -u DISPLAY -i QEMU_AUDIO_DRV=none nice -n 5 ",
])
def test_launchers_in_front_of_the_program(launcher):
    argv = command_from_log_line(launcher + MSR_COMMAND)
    assert argv == command_from_log_line(MSR_COMMAND)
    assert argv[0] == "/usr/bin/qemu-system-x86_64"
    assert argv[-2:] == ["-cpu", "max,vendor=GenuineIntel"]


def test_command_after_double_dash_must_be_qemu():
    assert command_from_words(["env", "A=1", "qemu-system-x86_64", "-kernel", "x"])[0] == \
        "qemu-system-x86_64"
    with pytest.raises(DebugError, match=r"^the command after -- has no qemu-system-\* program "
                                         r"with only timeout, env or NAME=VALUE in front of it; "
                                         r"give QEMU's command line$"):
        command_from_words(["echo", "qemu-system-x86_64", "-kernel", "x"])


def test_efi_probe_from_the_dummy_directory_is_skipped(tmp_path):
    line, argv = read_log_command(write(tmp_path, "sieve.log", SIEVE_LOG))
    assert line == EFI_COMMAND % "sieve"
    assert "file.dir=efi-tests/sieve/,file.driver=vvfat,file.rw=on,format=raw,if=virtio" in argv
    assert "timeout" not in argv and "180" not in argv


def test_a_log_of_the_probe_alone_has_no_test(tmp_path):
    log = write(tmp_path, "sieve.log", EFI_COMMAND % "dummy" + "\n" + OVMF + BDS)
    with pytest.raises(DebugError, match="holds no QEMU command that runs a test"):
        read_log_command(log)


def test_run_tests_output_is_not_a_log(tmp_path):
    path = write(tmp_path, "run.txt", RUN_TESTS_STDOUT)
    with pytest.raises(DebugError) as raised:
        read_log_command(path)
    assert str(raised.value) == ("%s is what run_tests.sh printed, not a test's log: give "
                                 "logs/gicv2-mmio-up.log, which run_tests.sh -v writes, or the "
                                 "test name gicv2-mmio-up" % path)
    summary = write(tmp_path, "summary.txt", RUN_TESTS_STDOUT.splitlines()[1] + "\n")
    with pytest.raises(DebugError, match="logs/gicv2-mmio-up.log"):
        read_log_command(summary)


def test_a_console_file_is_not_a_log(tmp_path):
    """A console file echoes the QEMU command, as a log does, but holds no environment."""
    path = write(tmp_path, "gicv2-mmio-up.console", GIC_LOG)
    with pytest.raises(DebugError) as raised:
        read_log_command(path)
    assert str(raised.value) == ("%s is the console file of a kut-debug session, not a test's "
                                 "log: give %s, which run_tests.sh writes, or the test name"
                                 % (path, path[:-len(".console")] + ".log"))


def test_fail_lines_of_real_logs():
    assert [(line.number, line.line_number, line.text) for line in fail_lines(GIC_LOG)] == [
        (1, 8, "FAIL: gicv2: mmio: ITARGETSR: register content preserved"),
        (2, 11, "FAIL: gicv2: mmio: ITARGETSR: byte writes successful")]
    # The coloured summary is run_tests.sh's, not a check.
    assert fail_lines(RUN_TESTS_STDOUT) == []
    assert fail_lines(GIC_LOG + RUN_TESTS_STDOUT) == fail_lines(GIC_LOG)


def test_fail_line_behind_firmware_codes():
    lines = fail_lines(EFI_COMMAND % "msr" + "\n" + OVMF + "FAIL: MSR_FS_BASE\r\nPASS: x\n")
    assert [(line.line_number, line.text) for line in lines] == [(2, "FAIL: MSR_FS_BASE")]


def test_terminal_codes():
    assert without_terminal_codes(OVMF + BDS) == BDS
    assert without_terminal_codes(RUN_TESTS_STDOUT.splitlines()[1]) == \
        "FAIL gicv2-mmio-up (17 tests, 2 unexpected failures)"
    assert without_terminal_codes("a\x1b]0;title\x07b\x1b(Bc\nd") == "abc\nd"


@pytest.mark.parametrize("line, accel", [
    (GIC_COMMAND, ("tcg", "-accel tcg")),
    (MSR_COMMAND, ("tcg", "-machine accel=tcg")),
    (EFI_COMMAND % "sieve", ("tcg", "-machine accel=tcg")),
    ("qemu-system-s390x -nodefaults -machine s390-ccw-virtio,accel=kvm -kernel s390x/selftest.elf",
     ("kvm", "-machine s390-ccw-virtio,accel=kvm")),
    ("qemu-system-aarch64 -machine virt -accel tcg,thread=single -kernel a.flat",
     ("tcg,thread=single", "-accel tcg,thread=single")),
    ("qemu-system-x86_64 -machine accel=tcg,thread=single -kernel x86/msr.flat",
     ("tcg,thread=single", "-machine accel=tcg,thread=single")),
    ("qemu-system-x86_64 -enable-kvm -kernel x86/msr.flat", ("kvm", "-enable-kvm")),
    ("qemu-system-x86_64 -append accel=kvm -kernel x86/msr.flat", None),
    ("qemu-system-x86_64 -kernel x86/msr.flat", None),
])
def test_accelerator_of_a_logged_command(line, accel):
    assert accelerator(command_from_log_line(line)) == accel


def test_no_difference_with_qemu_lines_above_in_the_log():
    started = command_from_log_line(GIC_COMMAND) + ["-S", "-gdb", "tcp:127.0.0.1:1234",
                                                    "-initrd", "/tmp/tmp.other"]
    assert same_run.difference(GIC_COMMAND, started, ["-S", "-gdb", "tcp:127.0.0.1:1234"]) is None
    assert same_run.difference(GTK, started, ["-S", "-gdb", "tcp:127.0.0.1:1234"]) == \
        "it adds " + " ".join(command_from_log_line(GIC_COMMAND))


CFG = """\
[msr]
file = msr.flat

[vmx]
file = vmx.flat
accel = kvm
"""
TREE = kvm_tree.KvmTree({"ARCH": "x86_64", "TEST_DIR": "x86"}, "/nonexistent")


def run_of(name, environ, log_accel):
    return kvm_tree.test_run(TREE, unittests_cfg.parse(CFG)[name], environ, log_accel)


def test_the_logged_accelerator_unless_the_environment_sets_one():
    assert "ACCEL=tcg " in run_of("msr", {}, "tcg").shell_command
    assert "ACCEL=kvm " in run_of("msr", {"ACCEL": "kvm"}, "tcg").shell_command
    assert "ACCEL='' " in run_of("msr", {}, None).shell_command
    assert "ACCEL=tcg,thread=single " in run_of("msr", {}, "tcg,thread=single").shell_command


def test_a_test_for_another_accelerator_than_the_logged_one():
    with pytest.raises(DebugError) as raised:
        run_of("vmx", {}, "tcg")
    assert str(raised.value) == ("vmx in x86/unittests.cfg needs ACCEL=kvm, and the log's run "
                                 "used ACCEL=tcg; set ACCEL=kvm to run it all the same")
    assert "ACCEL=kvm " in run_of("vmx", {"ACCEL": "kvm"}, "tcg").shell_command
    # run_tests.sh's accel check takes ACCEL's name before its properties.
    assert "ACCEL=kvm,dirty-ring-size=4096 " in \
        run_of("vmx", {"ACCEL": "kvm,dirty-ring-size=4096"}, None).shell_command


# Upstream arm64 EFI logs/timer.log (lines 1-8): QEMU's lines above each of
# arm/efi/run's two runs, the device tree dump first.
ARM64_EFI_RUN = ("timeout -k 1s --foreground 20s /usr/bin/qemu-system-aarch64 -nodefaults -machine"
                 " virt -accel tcg -cpu max -device pci-testdev -display none -serial stdio %s"
                 " -smp 1 -machine acpi=off ")
TIMER_LOG = (GTK + SDL + ARM64_EFI_RUN % "-machine dumpdtb=efi-tests/timer/dtb" + "\n"
             "qemu-system-aarch64: info: dtb dumped to efi-tests/timer/dtb. Exiting.\n"
             + GTK + SDL
             + ARM64_EFI_RUN % ("-bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd -drive "
                                "file.dir=efi-tests/timer/,file.driver=vvfat,"
                                "file.rw=on,format=raw,if=virtio")
             + "\nUEFI firmware (version  built at 13:10:49 on Nov  5 2024)\n")


def test_arm64_efi_log_gives_the_run_after_the_device_tree_dump(tmp_path):
    line, argv = read_log_command(write(tmp_path, "timer.log", TIMER_LOG))
    assert line == TIMER_LOG.splitlines()[6]
    assert argv[argv.index("-bios") + 1] == "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
    assert accelerator(argv) == ("tcg", "-accel tcg")
