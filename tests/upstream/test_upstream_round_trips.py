"""The packets `kut-load X.elf` sends beyond the commands it runs (those its
--dry-run prints: add-symbol-file, and `set endian` where gdb reads a
big-endian guest as little-endian), on upstream images of every
architecture, started by the tree's run script: at most two more, and no
register read of its own where no monitor command ran."""

import re

import pytest

import upstream
from run_cases import CASES
from remote_log import packets_sent, register_reads, requests
from run_script import PausedRun
from session import gdb_major


@pytest.mark.parametrize("config", sorted(CASES))
def test_at_most_two_packets_more_than_the_symbol_commands_it_runs(config):
    tree = upstream.tree(config)
    script, kernel, args, elf = CASES[config]
    with PausedRun(tree, config, script, kernel, args) as paused:
        _, planned = packets_sent(paused.port, ["kut-load --dry-run " + elf], cwd=tree)
        commands = [line for line in planned.splitlines()
                    if line.startswith(("add-symbol-file ", "symbol-file ", "set endian "))]
        assert commands, planned
    with PausedRun(tree, config, script, kernel, args) as paused:
        floor, floor_out = packets_sent(paused.port, commands, cwd=tree)
    with PausedRun(tree, config, script, kernel, args) as paused:
        kut, out = packets_sent(paused.port, ["kut-load " + elf], cwd=tree)
    assert re.search(r"^kut-load: \S*%s at 0x" % re.escape(elf), out, re.M), out
    assert "add symbol table from file" in floor_out, floor_out
    asked = requests(kut)
    if gdb_major() < 11:
        # gdb 10 reads frames' code again where kut-load asks for the selected frame.
        asked = [packet for packet in asked
                 if not (packet.startswith("m") and int(packet.split(",")[1], 16) <= 4)]
    # A change of byte order makes gdb read the registers again, for both.
    assert len(register_reads(asked)) == len(register_reads(floor)), (kut, floor)
    assert len(asked) - len(requests(floor)) <= 2, (kut, floor)
