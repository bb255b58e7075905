"""kut-debug on an arm64 EFI test in a kvm-unit-tests tree built with
--enable-efi: arm/efi/run starts it from the UEFI shell, and gdb stops in the
test's first function before it has run, with the firmware's choice of address."""

import os
import re
import shutil

import pytest

from conftest import REPO, guest_file
from guest_source import initial_value, marker_line
from efi_sample import NO_SHELL
from kut_debug_process import assert_session_gone, run_kut_debug, started
from kvm_tree_copy import make_tree, run_tests
from session import require, run_gdb

EFI_MAIN = os.path.join(REPO, "tests", "guests", "efi", "main.c")
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
    if NO_SHELL in log:
        pytest.skip("this EDK2 has no UEFI shell to run arm/efi/run's startup.nsh")
    assert "dumpdtb=" in log.splitlines()[0] and RUNNING in log, log
    console = "logs/efi-sample.console"
    result = run_kut_debug(efi_tree, [
        "--batch", "--break", "efi_main", "--ex", "bt",
        "--ex", "python print('console has run:', '%s' in open('%s').read())" % (RUNNING, console),
        "--ex", "print/x efi_sample_ticks", "--ex", "python print('notifications:', "
        "gdb.parameter('suppress-cli-notifications') if int(gdb.VERSION.split('.')[0]) >= 12 "
        "else 'none before gdb 12')",
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
                     r"\S+/efi/main\.c:%d" % FIRST_LINE, result.stdout), out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", result.stdout, re.M)
    assert frames[:2] == ["efi_main", "_start"], out
    # Stopped before the test printed anything or counted.
    assert "console has run: False" in result.stdout, out
    assert re.search(r"^\$1 = 0x0$", result.stdout, re.M), out
    assert "SIGINT" not in out and "watchpoint" not in out, out  # the wait is quiet
    # The setting the wait changes is as it was (gdb 12 and later have it).
    assert re.search(r"^notifications: (False|none before gdb 12)$", result.stdout, re.M), out
    with open(os.path.join(str(efi_tree), started(result.stderr)[2])) as text:
        assert "UEFI Interactive Shell" in text.read()


# In Debian 12 and 13 alike (13 has no OVMF_CODE.fd, only the 4M builds).
OVMF = "/usr/share/ovmf/OVMF.fd"
X86_MAIN = os.path.join(REPO, "tests", "guests", "efi", "main.c")
X86_FIRST_LINE = marker_line("first line of efi_main", X86_MAIN)
# x86/efi/run's QEMU command, with run_tests.sh's probe run in front.
X86_LOG = """\
{qemu} --no-reboot -nodefaults -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 -vnc none -serial stdio -device pci-testdev -machine accel=tcg -drive file={ovmf},format=raw,if=pflash,readonly=on -drive file.dir=efi-tests/_NO_FILE_4Uhere_/,file.driver=vvfat,file.rw=on,format=raw,if=virtio -net none -nographic -m 256 -smp 1
{qemu} --no-reboot -nodefaults -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 -vnc none -serial stdio -device pci-testdev -machine accel=tcg -drive file={ovmf},format=raw,if=pflash,readonly=on -drive file.dir=efi-tests/efi-x86/,file.driver=vvfat,file.rw=on,format=raw,if=virtio -net none -nographic -m 256 -smp 1
efi sample: running
"""


@pytest.fixture
def x86_efi_tree(tmp_path):
    """The files x86/efi/run leaves: the test in x86/, its copy as BOOTX64.EFI."""
    qemu = require("qemu-system-x86_64")
    assert os.path.isfile(OVMF), "%s is missing: install ovmf" % OVMF
    tree = tmp_path / "kvm-unit-tests"
    boot = tree / "efi-tests" / "efi-x86" / "EFI" / "BOOT"
    boot.mkdir(parents=True)
    (tree / "x86").mkdir()
    (tree / "logs").mkdir()
    for name in ("sample.efi", "sample.efi.debug"):
        os.symlink(guest_file("efi-x86_64", name), str(tree / "x86" / ("efi-x86" + name[6:])))
    shutil.copy(guest_file("efi-x86_64", "sample.efi"), str(boot / "BOOTX64.EFI"))
    (tree / "logs" / "efi-x86.log").write_text(X86_LOG.format(qemu=qemu, ovmf=OVMF))
    yield tree
    assert_session_gone(tree)


def test_x86_64_efi_log_stops_in_the_test_before_it_runs(x86_efi_tree):
    result = run_kut_debug(x86_efi_tree, [
        "--batch", "--break", "efi_main", "--ex", "bt", "--ex", "print/x efi_sample_ticks",
        "--ex", "print/x efi_sample_magic",
        "--ex", "python print('console has run:', 'efi sample: running' in "
                "open('logs/efi-x86.console').read())", "logs/efi-x86.log"], timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert re.search(r"^kut-debug: the firmware loaded \S*x86/efi-x86\.efi at 0x[0-9a-f]+; "
                     r"it has not started yet$", result.stdout, re.M), out
    assert re.search(r"Breakpoint 1, efi_main \(image=0x[0-9a-f]+, systab=0x[0-9a-f]+\) at "
                     r"\S+/efi/main\.c:%d" % X86_FIRST_LINE, result.stdout), out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+) \(", result.stdout, re.M)
    assert frames[:2] == ["efi_main", "_start"], out
    assert re.search(r"^\$1 = 0x0$", result.stdout, re.M), out
    assert re.search(r"^\$2 = %#x$" % initial_value("efi_sample_magic", X86_MAIN),
                     result.stdout, re.M), out
    assert "console has run: False" in result.stdout, out  # stopped before it printed
    with open(os.path.join(str(x86_efi_tree), started(result.stderr)[2])) as text:
        assert "BdsDxe: starting" in text.read()  # OVMF's boot manager started it


def test_a_guest_without_firmware_tables_is_one_error(tmp_path):
    """A guest that ends without EDK2's tables: the wait says so in one line, nothing else
    runs (no kut-load), and nothing of the session is left."""
    efi_debug = guest_file("efi-arm64", "sample.efi.debug")
    result = run_kut_debug(tmp_path, ["--batch", "--elf", efi_debug, "--",
                                      require("qemu-system-aarch64"), "-machine", "virt", "-cpu",
                                      "max", "-kernel", guest_file("arm64", "sample.flat")])
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert re.search(r"^the guest ended before the firmware made its debug image table$",
                     result.stderr, re.M), out
    assert "kut-load:" not in out and "Traceback" not in out and "Python" not in out, out
    assert_session_gone(tmp_path)


UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"


def test_a_test_under_u_boot_is_refused_once_it_runs(tmp_path):
    """Debian's U-Boot keeps no debug image table: the wait ends as soon as the
    test runs, saying so, with the guest stopped in the test."""
    assert os.path.isfile(UBOOT), "%s is missing: install u-boot-qemu" % UBOOT
    boot = tmp_path / "disk" / "EFI" / "BOOT"
    boot.mkdir(parents=True)
    shutil.copy(guest_file("efi-riscv64", "sample.efi"), str(boot / "BOOTRISCV64.EFI"))
    result = run_kut_debug(tmp_path, [
        "--batch", "--elf", guest_file("efi-riscv64", "sample.efi.debug"), "--",
        require("qemu-system-riscv64"), "-machine", "virt", "-kernel", UBOOT, "-m", "256",
        "-drive", "file=fat:rw:disk,format=raw,if=virtio"], timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert re.search(r"^u-boot\.bin started \S+/efi-riscv64/sample\.efi at 0x[0-9a-f]+ without "
                     r"making an EFI debug image table, so it cannot be stopped before it runs; "
                     r"it is stopped in the test now: run kut-load to load its symbols there$",
                     result.stderr, re.M), out
    assert "kut-load:" not in out and "Traceback" not in out, out
    assert_session_gone(tmp_path)


def test_efi_start_names_a_missing_file_in_one_line(tmp_path):
    missing = str(tmp_path / "selftest.efi")
    out = run_gdb(0, ["kut-debug-efi-start " + missing],
                  connect=False)
    assert "cannot read %s: No such file or directory; give the test's X.efi" % missing in out, out
    assert "Errno" not in out and "Traceback" not in out, out
