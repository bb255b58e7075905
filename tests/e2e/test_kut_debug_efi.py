"""kut-debug on an arm64 EFI test in a kvm-unit-tests tree built with
--enable-efi: arm/efi/run starts it from the UEFI shell, and gdb stops in the
test's first function before it has run, with the firmware's choice of address."""

import os
import re

import pytest

from conftest import REPO, guest_file
from guest_source import marker_line
from test_kut_debug import assert_session_gone, run_kut_debug, started
from test_kut_debug_tree import make_tree, run_tests

EFI_MAIN = os.path.join(REPO, "tests", "guests", "efi-arm64", "main.c")
FIRST_LINE = marker_line("first line of efi_main", EFI_MAIN)
FIRMWARE = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
RUNNING = "efi sample: running"
CFG = "[efi-sample]\nfile = efi-sample.flat\nsmp = 1\ngroups = efi\n"


@pytest.fixture
def efi_tree(tmp_path):
    assert os.path.isfile(FIRMWARE), "%s is missing: install qemu-efi-aarch64" % FIRMWARE
    tree = make_tree(tmp_path / "kvm-unit-tests", efi="y")
    (tree / "arm" / "unittests.cfg").write_text(CFG)
    for name in ("sample.efi", "sample.efi.debug"):
        os.symlink(guest_file("efi-arm64", name), str(tree / "arm" / ("efi-" + name)))
    yield tree
    assert_session_gone(tree)


def test_efi_log_stops_in_the_test_before_it_runs(efi_tree):
    # The sample never ends: run_tests.sh's timeout ends it once it has run.
    run_tests(efi_tree, "efi-sample", env=dict(os.environ, TIMEOUT="60s"))
    log = (efi_tree / "logs" / "efi-sample.log").read_text()
    assert "dumpdtb=" in log.splitlines()[0] and RUNNING in log, log
    console = "logs/efi-sample.console"
    result = run_kut_debug(efi_tree, [
        "--batch", "--break", "efi_main", "--ex", "bt",
        "--ex", "python print('console has run:', '%s' in open('%s').read())" % (RUNNING, console),
        "--ex", "print/x efi_sample_ticks",
        "logs/efi-sample.log"], timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "kut-debug: warning" not in out, out  # the run script's QEMU is the log's
    loaded = re.search(r"^kut-debug: the firmware loaded \S+/arm/efi-sample\.efi at (0x[0-9a-f]+);"
                       r" it has not started yet$", result.stdout, re.M)
    assert loaded, out
    assert re.search(r"^kut-load: \S+efi-sample\.efi\.debug at %s " % loaded.group(1),
                     result.stdout, re.M), out
    assert re.search(r"Breakpoint 1, efi_main \(image=0x[0-9a-f]+, systab=0x[0-9a-f]+\) at "
                     r"\S+/efi-arm64/main\.c:%d" % FIRST_LINE, result.stdout), out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", result.stdout, re.M)
    assert frames[:2] == ["efi_main", "_start"], out
    # Stopped before the test printed anything or counted.
    assert "console has run: False" in result.stdout, out
    assert re.search(r"^\$1 = 0x0$", result.stdout, re.M), out
    with open(os.path.join(str(efi_tree), started(result.stderr)[2])) as text:
        assert "UEFI Interactive Shell" in text.read()
