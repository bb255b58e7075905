"""The programs kut-debug runs: gdb's command as the user gives it."""

import shutil

import pytest

from kut_debug.processes import programs
from kut_debug.errors import DebugError


def test_gdb_command_is_split_as_a_shell_would_and_its_program_found():
    assert programs.gdb_command("sh -x 'my file.gdb'") == [shutil.which("sh"), "-x", "my file.gdb"]
    with pytest.raises(DebugError, match="gdb is not installed \\(no-such-gdb not found\\)"):
        programs.gdb_command("no-such-gdb -x f")
    with pytest.raises(DebugError, match="--gdb needs a program"):
        programs.gdb_command(" ")
    with pytest.raises(DebugError, match="No closing quotation"):
        programs.gdb_command("gdb-multiarch -x 'f")
