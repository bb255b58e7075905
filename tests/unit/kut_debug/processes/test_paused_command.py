"""kut-debug's changes to a test's QEMU command: paused with a gdb stub of its
own, and nothing of QEMU on the terminal that gdb uses."""

from kut_debug.processes.paused_command import for_gdb, split_qemu_opts, with_gdb_stub
from kut_debug.tree.qemu_command import command_from_log_line

CONSOLE = "logs/t.console"
CONSOLE_CHARDEV = "file,id=kutconsole0,path=logs/t.console,append=on"


def pairs(argv):
    """(option, value) for each option taking a value, in order."""
    return [(argv[i], argv[i + 1]) for i in range(1, len(argv) - 1) if argv[i].startswith("-")]


def test_arm64_serial_stdio_goes_to_the_console_file():
    argv = for_gdb(command_from_log_line(
        "timeout -k 1s --foreground 90s /usr/bin/qemu-system-aarch64 -nodefaults -machine virt"
        " -accel tcg -cpu max -device virtio-serial-device -device virtconsole,chardev=ctd"
        " -chardev testdev,id=ctd -display none -serial stdio -kernel arm/gic.flat -smp 1"
        " -append mmio # -initrd /tmp/tmp.X"), CONSOLE)
    assert ("-chardev", CONSOLE_CHARDEV) in pairs(argv)
    assert ("-serial", "chardev:kutconsole0") in pairs(argv)
    assert "stdio" not in argv
    assert ("-chardev", "testdev,id=ctd") in pairs(argv)  # not a stdio device: kept
    assert argv.count("-display") == 1 and "-monitor" not in argv  # -nodefaults: no monitor


def test_riscv64_nographic_mon_stdio():
    argv = for_gdb(["qemu-system-riscv64", "-nodefaults", "-nographic", "-serial", "mon:stdio",
                    "-machine", "virt", "-kernel", "riscv/selftest.flat"], CONSOLE)
    assert "-nographic" not in argv and "mon:stdio" not in argv
    assert ("-serial", "chardev:kutconsole0") in pairs(argv)
    assert ("-display", "none") in pairs(argv)


def test_nographic_without_serial_gets_the_console_and_no_monitor():
    argv = for_gdb(["qemu-system-aarch64", "-nographic", "-M", "virt", "-kernel", "t.flat"],
                   CONSOLE)
    assert "-nographic" not in argv
    assert ("-chardev", CONSOLE_CHARDEV) in pairs(argv)
    assert ("-serial", "chardev:kutconsole0") in pairs(argv)
    assert ("-monitor", "none") in pairs(argv)
    assert ("-display", "none") in pairs(argv)


def test_default_serial_port_goes_to_the_console_file():
    argv = for_gdb(["qemu-system-aarch64", "-machine", "virt", "-kernel", "t.flat"], CONSOLE)
    assert argv == ["qemu-system-aarch64", "-machine", "virt", "-kernel", "t.flat",
                    "-chardev", CONSOLE_CHARDEV, "-serial", "chardev:kutconsole0",
                    "-display", "none", "-monitor", "none"]


def test_explicit_serial_port_elsewhere_is_kept():
    argv = for_gdb(["qemu-system-aarch64", "-serial", "file:out.txt", "-kernel", "t.flat"],
                   CONSOLE)
    assert argv == ["qemu-system-aarch64", "-serial", "file:out.txt", "-kernel", "t.flat",
                    "-display", "none", "-monitor", "none"]


def test_nographic_with_nodefaults_and_no_serial_adds_none():
    argv = for_gdb(["qemu-system-aarch64", "-nodefaults", "-nographic", "-kernel", "t.flat"],
                   CONSOLE)
    assert argv == ["qemu-system-aarch64", "-nodefaults", "-kernel", "t.flat", "-display", "none"]


def test_gdb_stub_options_are_dropped_but_values_are_not_mistaken_for_them():
    argv = for_gdb(["qemu-system-aarch64", "-nodefaults", "-s", "-S", "-gdb", "tcp::1234",
                    "--gdb", "tcp::5", "-append", "-S", "-name", "-s", "-daemonize",
                    "-kernel", "t.flat", "-display", "none"], CONSOLE)
    assert argv == ["qemu-system-aarch64", "-nodefaults", "-append", "-S", "-name", "-s",
                    "-kernel", "t.flat", "-display", "none"]


def test_stdio_chardev_becomes_the_file_and_its_monitor_goes():
    argv = for_gdb(["qemu-system-aarch64", "-nodefaults",
                    "-mon", "chardev=con,mode=readline",
                    "-chardev", "stdio,id=con,mux=on,signal=off",
                    "-serial", "chardev:con", "-kernel", "t.flat"], CONSOLE)
    assert ("-chardev", "file,id=con,mux=on,path=logs/t.console,append=on") in pairs(argv)
    assert ("-serial", "chardev:con") in pairs(argv)
    assert "-mon" not in argv


def test_stdio_monitors_go_other_monitors_stay():
    argv = for_gdb(["qemu-system-x86_64", "-monitor", "stdio", "-qmp", "unix:/tmp/q,server=on",
                    "-kernel", "x86/msr.flat"], CONSOLE)
    assert "stdio" not in argv
    assert ("-qmp", "unix:/tmp/q,server=on") in pairs(argv)
    assert "-monitor" not in argv  # -qmp already turned the default monitor off


def test_curses_display_would_take_the_terminal():
    argv = for_gdb(["qemu-system-x86_64", "-display", "curses", "-kernel", "x86/msr.flat"],
                   CONSOLE)
    assert ("-display", "none") in pairs(argv) and "curses" not in argv


def test_x86_debugcon_stdio_and_vnc_none():
    argv = for_gdb(["qemu-system-x86_64", "-vnc", "none", "-debugcon", "stdio",
                    "-serial", "stdio", "-kernel", "x86/msr.flat"], CONSOLE)
    assert ("-debugcon", "chardev:kutconsole0") in pairs(argv)
    assert ("-serial", "chardev:kutconsole1") in pairs(argv)
    assert ("-vnc", "none") in pairs(argv)


def test_console_path_commas_are_escaped_for_qemu():
    argv = for_gdb(["qemu-system-aarch64", "-serial", "stdio"], "/tmp/a,b.console")
    assert ("-chardev", "file,id=kutconsole0,path=/tmp/a,,b.console,append=on") in pairs(argv)


def test_double_dash_options_and_other_words_are_kept():
    argv = for_gdb(["qemu-system-x86_64", "--no-reboot", "-cpu", "max,+vmx",
                    "-append", "-exit_monitor_from_l2_test -ept_access*", "-kernel", "x.flat"],
                   CONSOLE)
    assert argv[:7] == ["qemu-system-x86_64", "-no-reboot", "-cpu", "max,+vmx", "-append",
                        "-exit_monitor_from_l2_test -ept_access*", "-kernel"]


def test_gdb_stub_is_paused_on_loopback():
    assert with_gdb_stub(["qemu"], 40001) == ["qemu", "-S", "-gdb", "tcp:127.0.0.1:40001"]


def test_qemu_opts_commas():
    assert split_qemu_opts("file,id=a,path=x,,y") == ["file", "id=a", "path=x,y"]
