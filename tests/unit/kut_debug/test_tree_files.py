"""kut-debug finding files: the log, the test's ELF, the console file,
kut-load's gdbinit; and the gdb commands it writes."""

import os
import shutil

import pytest

from kut_debug import cli, gdb_session, programs, tree_files
from kut_debug.errors import DebugError


def test_test_name_means_logs_name_log():
    assert tree_files.log_path("gicv2-mmio-up") == "logs/gicv2-mmio-up.log"
    assert tree_files.log_path("logs/pmu.log") == "logs/pmu.log"
    assert tree_files.log_path("/tmp/old/pmu.log") == "/tmp/old/pmu.log"


def test_console_file_is_beside_the_log():
    assert (tree_files.console_path_for_log("logs/gicv2-mmio-up.log")
            == "logs/gicv2-mmio-up.console")


def test_elf_beside_flat_and_debug_beside_efi(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("arm")
    for name in ("arm/gic.flat", "arm/gic.elf", "arm/pmu.efi", "arm/pmu.efi.debug", "x86/"):
        if name.endswith("/"):
            os.mkdir(name)
        else:
            open(name, "w").close()
    assert tree_files.elf_for_kernel("arm/gic.flat") == "arm/gic.elf"
    assert tree_files.elf_for_kernel("arm/pmu.efi") == "arm/pmu.efi.debug"
    open("x86/msr.elf", "w").close()
    assert tree_files.elf_for_kernel("x86/msr.elf") == "x86/msr.elf"
    with pytest.raises(DebugError, match=r"^neither arm/timer\.flat, the test's -kernel, nor "
                                         r"its ELF arm/timer\.elf exists; build the tests"):
        tree_files.elf_for_kernel("arm/timer.flat")
    open("arm/timer.flat", "w").close()
    with pytest.raises(DebugError, match=r"^arm/timer\.elf does not exist \(the ELF for -kernel "
                                         r"arm/timer\.flat\); give the test's ELF with --elf$"):
        tree_files.elf_for_kernel("arm/timer.flat")


def test_kernel_is_the_last_kernel_option():
    argv = ["qemu-system-aarch64", "-append", "-kernel", "-kernel", "a.flat", "--kernel", "b.flat"]
    assert tree_files.kernel_of(argv) == "b.flat"
    with pytest.raises(DebugError, match="no -kernel option nor an EFI application"):
        tree_files.kernel_of(["qemu-system-aarch64", "-M", "virt"])


def test_efi_test_on_a_fat_drive_is_the_original_with_its_dwarf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for directory in ("x86", "arm", "efi-tests/msr/EFI/BOOT", "efi-tests/pmu"):
        os.makedirs(directory)
    for path, contents in (("x86/msr.efi", b"MZ msr"), ("x86/msr.efi.debug", b""),
                           ("x86/other.efi", b"MZ other"), ("x86/other.efi.debug", b""),
                           ("efi-tests/msr/EFI/BOOT/BOOTX64.EFI", b"MZ msr"),
                           ("efi-tests/pmu/pmu.efi", b"MZ pmu"),
                           ("efi-tests/pmu/startup.nsh", b"pmu.efi\r\n")):
        with open(path, "wb") as data:
            data.write(contents)
    x86 = ["qemu-system-x86_64", "-drive", "file=OVMF_CODE.fd,if=pflash", "-drive",
           "file.dir=efi-tests/msr/,file.driver=vvfat,file.rw=on,format=raw,if=virtio"]
    assert tree_files.kernel_of(x86) == "x86/msr.efi"
    # No original with DWARF beside it: the copy, whose missing .debug kut-debug then names.
    arm = ["qemu-system-aarch64", "-drive", "file=fat:rw:efi-tests/pmu,format=raw"]
    assert tree_files.kernel_of(arm) == "efi-tests/pmu/pmu.efi"


def test_gdbinit_in_checkout_then_install_layout(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "python").mkdir(parents=True)
    (checkout / "gdbinit").write_text("")
    assert (gdb_session.find_gdbinit(str(checkout / "python" / "kut-debug"))
            == str(checkout / "gdbinit"))

    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "share" / "kut-load").mkdir(parents=True)
    (prefix / "share" / "kut-load" / "gdbinit").write_text("")
    os.symlink(str(prefix / "bin" / "kut-debug.real"), str(prefix / "bin" / "kut-debug"))
    (prefix / "bin" / "kut-debug.real").write_text("")
    assert (gdb_session.find_gdbinit(str(prefix / "bin" / "kut-debug"))
            == str(prefix / "share" / "kut-load" / "gdbinit"))

    with pytest.raises(DebugError, match="cannot find kut-load's gdbinit"):
        gdb_session.find_gdbinit(str(tmp_path / "nowhere" / "kut-debug"))


def test_startup_script_quotes_the_elf_and_refuses_newlines():
    commands = gdb_session.commands_after_connecting("arm/it's.elf", "main",
                                                     ["info line *$pc", "bt"])
    assert gdb_session.startup_script(40001, commands, batch=True) == (
        "kut-debug-step target remote 127.0.0.1:40001\n"
        "kut-debug-step kut-load \"arm/it's.elf\"\n"
        "kut-debug-step python import kut_load.debug_script; "
        "kut_load.debug_script.break_at('main')\n"
        "kut-debug-step continue\n"
        "kut-debug-step --ex info line *$pc\n"
        "kut-debug-step --ex bt\n"
        "kut-debug-step --end-of-batch\n")
    facts = gdb_session.commands_after_connecting("a.elf", "main", [], console="/tmp/x's",
                                                  replay_again="kut-debug --replay t")[0]
    assert facts == ("python import kut_load.debug_script; kut_load.debug_script.session_facts("
                     "\"/tmp/x's\", 'kut-debug --replay t')")
    with pytest.raises(DebugError, match="control character"):
        gdb_session.commands_after_connecting("a.elf", "main", [], console="/tmp/x\n")
    with pytest.raises(DebugError, match="control character"):
        gdb_session.commands_after_connecting("a.elf", "main", ["bt\nshell rm -rf ~"])
    with pytest.raises(DebugError, match="control character"):
        gdb_session.commands_after_connecting("a\n.elf", "main", [])
    with pytest.raises(DebugError, match="control character"):
        gdb_session.commands_after_connecting("a.elf", "main\rx", [])


def test_efi_test_waits_for_the_firmware_first(tmp_path, monkeypatch):
    from kut_load.quoting import quote_argument
    monkeypatch.chdir(tmp_path)
    commands = gdb_session.commands_after_connecting("arm/it's.efi.debug", "main", [])
    absolute = str(tmp_path / "arm" / "it's.efi.debug")
    assert commands == ["kut-debug-efi-start " + quote_argument(absolute, "ELF path"),
                        "kut-load " + quote_argument("arm/it's.efi.debug", "ELF path"),
                        "python import kut_load.debug_script; "
                        "kut_load.debug_script.break_at('main')", "continue"]
    assert not gdb_session.commands_after_connecting("arm/x.elf", "main", [])[0].startswith(
        "python")
    # --elf X.efi names the same test: the firmware must load it first too.
    assert gdb_session.commands_after_connecting("arm/x.efi", "main", [])[0].startswith(
        "kut-debug-efi-start ")


def test_gdb_argv_batch_and_init_files():
    assert gdb_session.gdb_argv(["gdb-multiarch"], "/k/gdbinit", "/t/s.gdb", True, False) == [
        "gdb-multiarch", "-q", "-nx", "-batch", "-x", "/k/gdbinit", "-x", "/t/s.gdb"]
    assert gdb_session.gdb_argv(["gdb-multiarch"], "/k/gdbinit", "/t/s.gdb", False, True) == [
        "gdb-multiarch", "-q", "-x", "/k/gdbinit", "-x", "/t/s.gdb"]


def test_gdb_command_is_split_as_a_shell_would_and_its_program_found():
    assert programs.gdb_command("sh -x 'my file.gdb'") == [shutil.which("sh"), "-x", "my file.gdb"]
    with pytest.raises(DebugError, match="gdb is not installed \\(no-such-gdb not found\\)"):
        programs.gdb_command("no-such-gdb -x f")
    with pytest.raises(DebugError, match="--gdb needs a program"):
        programs.gdb_command(" ")
    with pytest.raises(DebugError, match="No closing quotation"):
        programs.gdb_command("gdb-multiarch -x 'f")


def test_a_misspelt_option_is_answered_with_the_near_one():
    with pytest.raises(DebugError, match=r"^unrecognized arguments: --fial \(did you mean "
                                         r"--fail\?\); see kut-debug --help$"):
        cli.parse(["--fial", "gicv2-mmio-up"])
    with pytest.raises(DebugError, match=r"^unrecognized arguments: --zzzz; see kut-debug"):
        cli.parse(["--zzzz", "gicv2-mmio-up"])


def test_command_line_forms():
    options, command = cli.parse(["--batch", "--ex", "bt", "--ex", "info registers", "pmu"])
    assert options.test == "pmu" and command is None and options.ex == ["bt", "info registers"]
    assert options.break_at == "main"
    options, command = cli.parse(["--break", "report_summary", "--", "qemu-system-arm", "-S"])
    assert command == ["qemu-system-arm", "-S"] and options.break_at == "report_summary"
    with pytest.raises(DebugError, match="either a log or a command"):
        cli.parse(["pmu", "--", "qemu-system-arm"])
    with pytest.raises(DebugError, match="give a log file or a test name"):
        cli.parse(["--batch"])
    with pytest.raises(DebugError, match="unrecognized arguments: --bogus"):
        cli.parse(["--bogus", "pmu"])


def test_both_commands_read_the_same_kernel_argument():
    # kut-load reads the local QEMU's command line, kut-debug the log's: one parser.
    from kut_load.qemu import options as qemu_options
    argv = ["qemu-system-aarch64", "-kernel", "a.flat", "-append", "-kernel x.flat",
            "--kernel", "b.flat", "-S"]
    assert qemu_options.kernel_argument(argv) == "b.flat"
    assert tree_files.kernel_of(argv) == "b.flat"
    assert qemu_options.kernel_argument(["qemu-system-x86_64", "-append", "-kernel"]) is None


def test_elf_option_is_refused_before_anything_starts_unless_an_elf_or_pe(tmp_path):
    flat, text = tmp_path / "gic.flat", tmp_path / "notes.txt"
    flat.write_bytes(b"\x00\x00\x80\xd2")
    text.write_text("hello\n")
    with pytest.raises(DebugError, match=r"gic\.flat is not an ELF file \(no ELF magic at its "
                                         r"start\); its symbols are in the \.elf beside it$"):
        tree_files.checked_elf(str(flat))
    with pytest.raises(DebugError, match=r"notes\.txt is not an ELF file"):
        tree_files.checked_elf(str(text))
    for name, magic in (("x.elf", b"\x7fELF\x02\x01"), ("x.efi", b"MZ\x90\x00")):
        (tmp_path / name).write_bytes(magic)
        assert tree_files.checked_elf(str(tmp_path / name)) == str(tmp_path / name)
