"""kut-debug's gdb: kut-load's gdbinit found, and the commands it writes for gdb."""

import os

import pytest

from kut_debug import gdb_session
from kut_debug.errors import DebugError


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
