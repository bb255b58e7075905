"""The FAIL lines of a kvm-unit-tests log, and picking one (kut_load.break_fail.log),
in made-up logs and in real ones."""

import pytest

from kut_load.break_fail import log as fail_log
from kut_load.break_fail.log import (FailLogError, choose, ending_lines, fail_lines,
                                     read_fail_lines, without_terminal_codes)
from kvm_unit_tests_files import BDS, EFI_COMMAND, GIC_LOG, OVMF, RUN_TESTS_STDOUT

# As ./run_tests.sh -v logs a test: the QEMU command, then the guest's lines.
LOG = """timeout -k 1s --foreground 90s qemu-system-aarch64 -kernel arm/gic.flat # -initrd /tmp/x
PASS: gicv2: mmio: GICD_CTLR is RW
XFAIL: gicv2: mmio: erratum
FAIL: gicv2: mmio: GICD_TYPER is read-only
KFAIL: gicv2: mmio: known
SKIP: gicv2: mmio: no feature
XPASS: gicv2: mmio: expected to fail
INFO: gicv2: FAIL: is not at the start
FAIL: gicv2: mmio: ITARGETSR
SUMMARY: 8 tests, 3 unexpected failures, 1 expected failures, 1 skipped
FAIL gicv2-mmio (8 tests, 3 unexpected failures, 1 expected failures, 1 skipped)
"""


def test_fail_and_xpass_lines_in_order_with_their_log_lines():
    # lib/report.c counts FAIL and XPASS as unexpected; nothing else. run_tests.sh's own
    # "FAIL TEST (...)" summary is not a check.
    assert [(line.number, line.line_number, line.text) for line in fail_lines(LOG)] == [
        (1, 4, "FAIL: gicv2: mmio: GICD_TYPER is read-only"),
        (2, 7, "XPASS: gicv2: mmio: expected to fail"),
        (3, 9, "FAIL: gicv2: mmio: ITARGETSR"),
    ]


def test_carriage_returns_are_not_part_of_the_line():
    assert fail_lines("FAIL: a\r\nPASS: b\r\n")[0].text == "FAIL: a"


def test_choose_first_by_number_and_by_text():
    lines = fail_lines(LOG)
    assert choose(lines, None, "x.log") is lines[0]
    assert choose(lines, "3", "x.log") is lines[2]
    assert choose(lines, "ITARGETSR", "x.log") is lines[2]
    assert choose(lines, "mmio", "x.log") is lines[0]  # the first that contains it


def test_choose_in_a_log_without_failures():
    assert choose([], None, "x.log") is None
    with pytest.raises(FailLogError, match=r"^x\.log has no FAIL line to stop at$"):
        choose([], "1", "x.log")


@pytest.mark.parametrize("which, message", [
    ("0", r"^x\.log has 3 FAIL lines; give a number from 1 to 3$"),
    ("4", r"^x\.log has 3 FAIL lines; give a number from 1 to 3$"),
    ("nosuch", r"^no FAIL line of x\.log contains 'nosuch'$"),
])
def test_choose_refuses_what_is_not_there(which, message):
    with pytest.raises(FailLogError, match=message):
        choose(fail_lines(LOG), which, "x.log")


def test_read_fail_lines(tmp_path):
    path = tmp_path / "t.log"
    path.write_bytes(LOG.encode() + b"FAIL: bad byte \xff\n")
    lines = read_fail_lines(str(path))
    assert len(lines) == 4 and lines[3].text == "FAIL: bad byte \ufffd"
    with pytest.raises(FailLogError, match=r"^cannot read the log \S+: No such file or directory$"):
        read_fail_lines(str(tmp_path / "missing.log"))


def test_ending_lines_of_tests_that_end_early():
    log = ("PASS: a\n"
           "arm/gic.c:120: assert failed: gic_version() == 2\n"
           "INFO: Unhandled is not at the start here\n"
           "Unhandled exception ec=0x25 (DABT_EL1)\n"
           "ABORT: gicv3: no ITS\n"
           "Unexpected program interrupt: 4 at 0x1234, ilen 4\n")
    assert [(line.line_number, line.text) for line in ending_lines(log)] == [
        (2, "arm/gic.c:120: assert failed: gic_version() == 2"),
        (4, "Unhandled exception ec=0x25 (DABT_EL1)"),
        (5, "ABORT: gicv3: no ITS"),
        (6, "Unexpected program interrupt: 4 at 0x1234, ilen 4"),
    ]
    assert ending_lines(LOG) == []


def test_terminal_codes_and_qemu_lines_do_not_hide_or_make_fail_lines():
    # OVMF clears the screen in front of the guest's first line (upstream x86_64 EFI logs);
    # run_tests.sh's own summary is coloured; Debian's QEMU writes its lines above the command.
    log = ("qemu: module ui-ui-gtk not found, do you want to install qemu-system-gui package?\n"
           "timeout -k 1s --foreground 180 qemu-system-x86_64 -machine accel=tcg\n"
           "\x1b[2J\x1b[01;01H\x1b[=3hFAIL: first\r\n"
           "\x1b[31mFAIL\x1b[0m msr (1 tests, 1 unexpected failures)\n"
           "\x1b[1mUnhandled\x1b[0m exception 13 #GP at ip 0x401000\n")
    assert [(line.line_number, line.text) for line in fail_lines(log)] == [(3, "FAIL: first")]
    assert [line.line_number for line in ending_lines(log)] == [5]


# The first and last lines of `TIMEOUT=2s ACCEL=tcg ./run_tests.sh -v sieve`'s logs/sieve.log
# (upstream x86_64, QEMU 7.2): timeout(1) ended QEMU, which said so.
TIMED_OUT = (
    "timeout -k 1s --foreground 2s /usr/bin/qemu-system-x86_64 --no-reboot -nodefaults "
    "-machine accel=tcg -kernel x86/sieve.flat -smp 1 # -initrd /tmp/tmp.c70OhSOmbg\n"
    "enabling apic\n"
    "starting sieve\n"
    "qemu-system-x86_64: terminating on signal 15 from pid 32224 (timeout)\n")


def test_a_run_that_timed_out_is_named_with_its_timeout():
    assert fail_log.fail_lines(TIMED_OUT) == [] and not fail_log.summarized(TIMED_OUT)
    assert fail_log.logged_end(TIMED_OUT) == (
        "run_tests.sh's timeout (2s) ended QEMU at log line 4, before the test's end")


def test_another_signal_is_named_with_its_sender():
    text = TIMED_OUT.replace("(timeout)", "(bash)").replace("signal 15", "signal 2")
    assert fail_log.logged_end(text) == (
        "signal 2 from bash ended QEMU at log line 4, before the test's end")


def test_a_kvm_internal_error_points_to_the_register_dump():
    text = ("qemu-system-x86_64 -enable-kvm -kernel x86/debug.flat\n"
            "KVM internal error. Suberror: 1\n"
            "emulation failure\n"
            "RAX=0000000000000000 RBX=0000000000000000\n")
    assert fail_log.logged_end(text) == (
        "QEMU stopped on a KVM internal error (suberror 1) at log line 2; the guest's "
        "registers follow it there")


def test_a_finished_run_has_its_summary_and_no_other_end():
    text = "starting sieve\nSUMMARY: 3 tests\n"
    assert fail_log.summarized(text) and fail_log.logged_end(text) is None


# A log whose QEMU aborted in the run script's probe (x86/msr, -cpu max under a
# nested KVM that cannot set an MSR), as run_tests.sh -v wrote it.
ABORTED = (
    "timeout -k 1s --foreground 90s /usr/bin/qemu-system-x86_64 --no-reboot -nodefaults "
    "-machine accel=kvm -kernel _NO_FILE_4Uhere_ -smp 1 -cpu max,vendor=GenuineIntel\n"
    "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
    "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion "
    "`ret == cpu->kvm_msr_buf->nmsrs' failed.\n"
    "QEMU Aborted\n")


def test_an_aborted_qemu_is_named_with_its_first_error():
    assert fail_log.logged_end(ABORTED) == (
        "QEMU aborted at log line 4 (failed to set MSR 0x10a to 0x69)")
    assert fail_log.qemu_errors(ABORTED.splitlines())[0] == "failed to set MSR 0x10a to 0x69"
    assert fail_log.qemu_errors(TIMED_OUT.splitlines()) == []


def test_fail_lines_of_real_logs():
    assert [(line.number, line.line_number, line.text) for line in fail_lines(GIC_LOG)] == [
        (1, 8, "FAIL: gicv2: mmio: ITARGETSR: register content preserved"),
        (2, 11, "FAIL: gicv2: mmio: ITARGETSR: byte writes successful")]
    # The coloured summary is run_tests.sh's, not a check.
    assert fail_lines(RUN_TESTS_STDOUT) == []
    assert fail_lines(GIC_LOG + RUN_TESTS_STDOUT) == fail_lines(GIC_LOG)


def test_fail_line_behind_firmware_codes():
    lines = fail_lines(EFI_COMMAND % "msr" + "\n" + OVMF + "FAIL: MSR_FS_BASE\r\nPASS: x\n")
    assert [(line.line_number, line.text) for line in lines] == [(2, "FAIL: MSR_FS_BASE")]


def test_terminal_codes():
    assert without_terminal_codes(OVMF + BDS) == BDS
    assert without_terminal_codes(RUN_TESTS_STDOUT.splitlines()[1]) == \
        "FAIL gicv2-mmio-up (17 tests, 2 unexpected failures)"
    assert without_terminal_codes("a\x1b]0;title\x07b\x1b(Bc\nd") == "abc\nd"
