"""kut-load under gdb's MI, as a front end (an IDE) drives gdb: the records
it reads are what a user of that front end sees."""

import os
import re

from conftest import GUESTS_SRC, guest_file
from guest_source import marker_line
from session import Qemu, run_mi


def test_kut_load_changes_no_setting_a_front_end_is_told_of():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_mi(["-gdb-set confirm on",
                      "-target-select remote 127.0.0.1:%d" % qemu.port,
                      '-interpreter-exec console "kut-load %s"' % elf,
                      '-interpreter-exec console "kut-load"',
                      "-break-insert main", "-exec-continue"])
    # gdb tells a front end of every setting a command changes (=cmd-param-changed).
    assert "=cmd-param-changed" not in out, out
    assert '~"kut-load: %s at 0x40080000' % elf in out, out
    assert '*stopped,reason="breakpoint-hit"' in out and 'func="main"' in out, out


def test_kut_break_fail_stops_are_records_a_front_end_shows():
    """Each stop is a full *stopped record (reason, frame, thread), and the
    test's frame kut-break-fail selects arrives as =thread-selected."""
    elf = guest_file("arm64", "checks-fail.elf")
    checks_c = os.path.join(GUESTS_SRC, "common", "checks.c")
    with Qemu("aarch64", guest_file("arm64", "checks-fail.flat")) as qemu:
        out = run_mi(["-target-select remote 127.0.0.1:%d" % qemu.port,
                      '-interpreter-exec console "kut-load %s"' % elf,
                      '-interpreter-exec console "kut-break-fail"', "-exec-continue"])
    # The first *stopped is the connection's; the second the failure's.
    stopped = [line for line in out.splitlines() if line.startswith("*stopped")]
    assert len(stopped) == 2, out
    assert 'reason="watchpoint-trigger"' in stopped[1] and 'thread-id="1"' in stopped[1], out
    selected = re.search(r'^=thread-selected,id="1",frame=\{level="(\d+)",.*func="(\w+)",.*'
                         r'line="(\d+)"', out, re.M)
    assert selected, out
    assert selected.group(2, 3) == ("test_failing_checks",
                                    str(marker_line("first failing check", checks_c))), out
