"""kut-debug reading the QEMU command from kvm-unit-tests log lines, as
./run_tests.sh -v writes them on each arch (scripts/arch-run.bash run_qemu),
and from real logs: Debian QEMU's own lines above the command, EFI firmware's
terminal codes and probe runs, run_tests.sh's own output."""

import pytest

from kut_debug.errors import DebugError
from kut_debug.tree.qemu_command import (accelerator, command_from_log_line,
                                         command_from_words, read_log_command, without_comment)
from kvm_unit_tests_files import (BDS, EFI_COMMAND, GIC_COMMAND, GIC_LOG, GTK, MSR_COMMAND, OVMF,
                                  RUN_TESTS_STDOUT, SDL, SIEVE_LOG)

TIMEOUT = "timeout -k 1s --foreground 90s "

ARM64_GIC = (TIMEOUT + "/usr/bin/qemu-system-aarch64 -nodefaults -machine virt -accel tcg -cpu max"
             " -device virtio-serial-device -device virtconsole,chardev=ctd"
             " -chardev testdev,id=ctd -device pci-testdev -display none -serial stdio"
             " -kernel arm/gic.flat -smp 1 -append mmio -machine gic-version=2"
             " # -initrd /tmp/tmp.Xq3VbZk2Lm\n")

# arm/unittests.cfg selftest-setup: extra_params = -m 256 -append 'setup smp=2 mem=256';
# echo in run_qemu prints the words without their quotes.
ARM_SELFTEST = (TIMEOUT + "/usr/bin/qemu-system-arm -nodefaults -machine virt,accel=tcg"
                " -cpu cortex-a15 -device virtio-serial-device -device virtconsole,chardev=ctd"
                " -chardev testdev,id=ctd -device pci-testdev -display none -serial stdio"
                " -kernel arm/selftest.flat -smp 2 -m 256 -append setup smp=2 mem=256"
                " # -initrd /tmp/tmp.p0J8ZL3Fz1\n")

# riscv/run: -nographic -serial mon:stdio; riscv/unittests.cfg: -append 'foo bar baz'.
RISCV64_SELFTEST = (TIMEOUT + "/usr/bin/qemu-system-riscv64 -nodefaults -nographic"
                    " -serial mon:stdio -machine virt -accel tcg -cpu max"
                    " -kernel riscv/selftest.flat -smp 16 -append foo bar baz"
                    " # -initrd /tmp/tmp.mrGTnydrAb\n")

# x86/unittests.cfg vmx: an -append value whose words start with '-'.
X86_64_VMX = (TIMEOUT + "/usr/bin/qemu-system-x86_64 --no-reboot -nodefaults -device pc-testdev"
              " -device isa-debug-exit,iobase=0xf4,iosize=0x4 -vnc none -serial stdio"
              " -device pci-testdev -machine accel=kvm -kernel x86/vmx.flat -smp 1"
              " -cpu max,+vmx -append -exit_monitor_from_l2_test -ept_access* -vmx_smp*"
              " # -initrd /tmp/tmp.Hd3yYw8Qa1\n")

X86_64_MSR_NO_ENV = (TIMEOUT + "/usr/bin/qemu-system-x86_64 --no-reboot -nodefaults"
                     " -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4"
                     " -vnc none -serial stdio -device pci-testdev -machine accel=tcg"
                     " -kernel x86/msr.flat -smp 1\n")


def test_arm64_drops_timeout_and_initrd_comment():
    argv = command_from_log_line(ARM64_GIC)
    assert argv[0] == "/usr/bin/qemu-system-aarch64"
    assert argv[-4:] == ["-append", "mmio", "-machine", "gic-version=2"]
    assert "timeout" not in argv and "90s" not in argv and "--foreground" not in argv
    assert "-initrd" not in argv and "#" not in argv
    assert argv[argv.index("-kernel") + 1] == "arm/gic.flat"


def test_arm_append_words_are_one_argument_again():
    argv = command_from_log_line(ARM_SELFTEST)
    assert argv[0] == "/usr/bin/qemu-system-arm"
    assert argv[-6:] == ["-smp", "2", "-m", "256", "-append", "setup smp=2 mem=256"]


def test_riscv64_append_at_the_end():
    argv = command_from_log_line(RISCV64_SELFTEST)
    assert argv[0] == "/usr/bin/qemu-system-riscv64"
    assert argv[1:5] == ["-nodefaults", "-nographic", "-serial", "mon:stdio"]
    assert argv[-2:] == ["-append", "foo bar baz"]


def test_x86_64_append_of_dash_words_stops_at_the_comment():
    argv = command_from_log_line(X86_64_VMX)
    assert argv[0] == "/usr/bin/qemu-system-x86_64"
    assert argv[-4:] == ["-cpu", "max,+vmx", "-append",
                         "-exit_monitor_from_l2_test -ept_access* -vmx_smp*"]


def test_x86_64_without_environment_comment():
    argv = command_from_log_line(X86_64_MSR_NO_ENV)
    assert argv[-4:] == ["-kernel", "x86/msr.flat", "-smp", "1"]


def test_quoted_append_values_keep_quotes_and_hashes():
    line = (TIMEOUT + "qemu-system-aarch64 -machine virt -kernel arm/selftest.flat"
            " -append 'setup smp=2 mem=256' -append \"a # b\" -append x#y # -initrd /tmp/t")
    argv = command_from_log_line(line)
    assert argv == ["qemu-system-aarch64", "-machine", "virt", "-kernel", "arm/selftest.flat",
                    "-append", "setup smp=2 mem=256", "-append", "a # b", "-append", "x#y"]


def test_append_value_followed_by_more_options():
    argv = command_from_log_line(
        "qemu-system-aarch64 -append pmu-cycle-counter 0 -smp 2 -kernel t.flat")
    assert argv == ["qemu-system-aarch64", "-append", "pmu-cycle-counter 0", "-smp", "2",
                    "-kernel", "t.flat"]


def test_migration_runner_in_front_is_dropped():
    line = "run_migration " + ARM64_GIC
    assert command_from_log_line(line) == command_from_log_line(ARM64_GIC)


def test_qemu_kvm_and_qemu_on_path():
    assert command_from_log_line("qemu-kvm -kernel x86/msr.flat")[0] == "qemu-kvm"
    on_path = command_from_log_line("qemu-system-x86_64 -kernel x86/msr.flat")
    assert on_path[0] == "qemu-system-x86_64"


@pytest.mark.parametrize("line", [
    "",
    "\n",
    "PASS: gicv2: mmio: all 0 IIDR\n",
    "timeout -k 1s --foreground 90s\n",
    "# -initrd /tmp/qemu-system-aarch64\n",
    "qemu-img create -f raw disk.img 1M\n",
    "echo 'unbalanced\n",
])
def test_lines_without_qemu_command(line):
    assert command_from_log_line(line) is None


def test_comment_needs_a_word_start():
    assert without_comment("a b#c 'd # e' \\# f # g") == "a b#c 'd # e' \\# f "
    assert without_comment("# all comment") == ""
    assert without_comment("a\\ #b") == "a\\ #b"


def test_read_log_takes_the_first_line_only(tmp_path):
    log = tmp_path / "gicv2-mmio-up.log"
    log.write_text(ARM64_GIC + "PASS: gicv2: mmio: all 0 IIDR\nSUMMARY: 5 tests\n"
                   "qemu-system-aarch64 -kernel later/line.flat\n")
    line, argv = read_log_command(str(log))
    assert argv[-1] == "gic-version=2" and line == ARM64_GIC.splitlines()[0]


# arm/efi/run first dumps the device tree, then runs the test from the UEFI shell.
ARM64_EFI_LOG = """\
/usr/bin/qemu-system-aarch64 -nodefaults -machine virt -accel tcg -cpu max -display none -serial stdio -machine dumpdtb=efi-tests/selftest-setup/dtb -smp 2 -machine acpi=off # -initrd /tmp/tmp.a
qemu-system-aarch64: info: dtb dumped to efi-tests/selftest-setup/dtb. Exiting.
timeout -k 1s --foreground 100s /usr/bin/qemu-system-aarch64 -nodefaults -machine virt -accel tcg -cpu max -display none -serial stdio -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd -drive file.dir=efi-tests/selftest-setup/,file.driver=vvfat,file.rw=on,format=raw,if=virtio -smp 2 -machine acpi=off # -initrd /tmp/tmp.b
UEFI firmware starting.
"""
# run_tests.sh's probe of a file that does not exist comes first in x86 EFI logs.
X86_EFI_LOG = """\
/usr/bin/qemu-system-x86_64 --no-reboot -nodefaults -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 -vnc none -serial stdio -device pci-testdev -machine accel=tcg -drive file=/usr/share/OVMF/OVMF_CODE.fd,format=raw,if=pflash,readonly=on -drive file.dir=efi-tests/_NO_FILE_4Uhere_/,file.driver=vvfat,file.rw=on,format=raw,if=virtio -net none -nographic -m 256 -smp 1
/usr/bin/qemu-system-x86_64 --no-reboot -nodefaults -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 -vnc none -serial stdio -device pci-testdev -machine accel=tcg -drive file=/usr/share/OVMF/OVMF_CODE.fd,format=raw,if=pflash,readonly=on -drive file.dir=efi-tests/msr/,file.driver=vvfat,file.rw=on,format=raw,if=virtio -net none -nographic -m 256 -smp 1
"""


@pytest.mark.parametrize("text, directory", [(ARM64_EFI_LOG, "efi-tests/selftest-setup/"),
                                             (X86_EFI_LOG, "efi-tests/msr/")])
def test_efi_logs_give_the_command_that_runs_the_test(tmp_path, text, directory):
    log = tmp_path / "t.log"
    log.write_text(text)
    line, argv = read_log_command(str(log))
    assert "file.dir=%s," % directory in " ".join(argv)
    assert line == [each for each in text.splitlines() if "file.dir=" + directory in each][0]


def test_missing_log_is_one_sentence(tmp_path):
    with pytest.raises(DebugError, match=r"^\S+/none\.log: no such log file$"):
        read_log_command(str(tmp_path / "none.log"))


def test_log_without_qemu_line_is_one_sentence(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("PASS: selftest: setup\nqemu-system-aarch64 -kernel _NO_FILE_4Uhere_\n")
    with pytest.raises(DebugError, match=r"^\S+x\.log holds no QEMU command that runs a test "
                                         r"\(no line with a qemu-system-\* program\)$"):
        read_log_command(str(log))


def test_command_after_double_dash_drops_timeout_but_keeps_words():
    words = ["timeout", "90s", "qemu-system-aarch64", "-append", "a", "b"]
    assert command_from_words(words) == ["qemu-system-aarch64", "-append", "a", "b"]
    with pytest.raises(DebugError, match="no qemu-system-"):
        command_from_words(["ls", "-l"])


def test_migration_lines():
    from kut_debug.tree.qemu_command import is_migration_line
    assert is_migration_line("run_migration timeout -k 1s --foreground 90s /usr/bin/qemu-system-"
                             "aarch64 -nodefaults -machine virt -kernel arm/selftest-migration"
                             ".flat -smp 1 # -initrd /tmp/tmp.x")
    assert is_migration_line("qemu-system-x86_64 -kernel x86/x.flat -incoming unix:/tmp/m")
    assert not is_migration_line(ARM64_GIC.splitlines()[0])
    assert not is_migration_line("PASS: migration: run_migration")


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
