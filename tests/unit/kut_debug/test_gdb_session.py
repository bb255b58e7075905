"""kut-debug's gdb: kut-load's gdbinit found, and the commands it writes for gdb."""

import os

import pytest

from argv_splitters import SPLITTERS
from kut_debug import gdb_session
from kut_debug.errors import DebugError
from kut_load.command_line import parse
from kut_load.command_tables import KUT_DEBUG_STEP


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
    steps = gdb_session.steps_after_connecting("arm/it's.elf", "main", ["info line *$pc", "bt"])
    assert gdb_session.startup_script(40001, steps, batch=True) == (
        'kut-debug-step --connect "127.0.0.1:40001"\n'
        'kut-debug-step "kut-load \\"arm/it\'s.elf\\""\n'
        'kut-debug-step --break-at "main"\n'
        "kut-debug-step --continue-all\n"
        'kut-debug-step --ex "info line *$pc"\n'
        'kut-debug-step --ex "bt"\n'
        "kut-debug-step --end-of-batch\n")
    facts = gdb_session.steps_after_connecting("a.elf", "main", [], console="/tmp/x's",
                                               replay_again="kut-debug --replay t")[:2]
    assert facts == ['kut-debug-step --console "/tmp/x\'s"',
                     'kut-debug-step --replay-again "kut-debug --replay t"']
    with pytest.raises(DebugError, match="control character"):
        gdb_session.steps_after_connecting("a.elf", "main", [], console="/tmp/x\n")
    with pytest.raises(DebugError, match="control character"):
        gdb_session.steps_after_connecting("a.elf", "main", ["bt\nshell rm -rf ~"])
    with pytest.raises(DebugError, match="control character"):
        gdb_session.steps_after_connecting("a\n.elf", "main", [])
    with pytest.raises(DebugError, match="control character"):
        gdb_session.steps_after_connecting("a.elf", "main\rx", [])


@pytest.mark.parametrize("split", SPLITTERS)
def test_every_step_reads_back_as_written_by_the_step_table(split):
    """kut-debug writes each step and kut-debug-step parses it from the one
    table, through gdb's argument splitting (either buildargv)."""
    odd = "x \"q\" \\ 'y' $pc --ex"
    steps = gdb_session.steps_after_connecting(
        "arm/%s.elf" % odd, odd, [odd, "-data-evaluate-expression x"], console="/c/" + odd,
        replay_again=odd, stop_commands=['kut-break-fail --at "2"'])
    parsed = [parse(KUT_DEBUG_STEP, split(line)[1:]) for line in steps]
    assert [line.split()[0] for line in steps] == ["kut-debug-step"] * len(steps)
    assert parsed[0].console == "/c/" + odd
    assert parsed[1].replay_again == odd
    assert split(parsed[2].command) == ["kut-load", "arm/%s.elf" % odd]
    assert parsed[3].command == 'kut-break-fail --at "2"'
    assert parsed[4].continue_all is True
    assert [step.ex for step in parsed[5:]] == [odd, "-data-evaluate-expression x"]
    assert parse(KUT_DEBUG_STEP, split(gdb_session.steps_after_connecting(
        "a.elf", odd, [])[1])[1:]).break_at == odd


def test_gdb_argv_batch_and_init_files():
    assert gdb_session.gdb_argv(["gdb-multiarch"], "/k/gdbinit", "/t/s.gdb", True, False) == [
        "gdb-multiarch", "-q", "-nx", "-batch", "-x", "/k/gdbinit", "-x", "/t/s.gdb"]
    assert gdb_session.gdb_argv(["gdb-multiarch"], "/k/gdbinit", "/t/s.gdb", False, True) == [
        "gdb-multiarch", "-q", "-x", "/k/gdbinit", "-x", "/t/s.gdb"]
