"""A recording on disk and how it is made: the limit a logged run sets."""

from kut_debug.record import recording


def test_a_logged_run_ended_by_run_tests_timeout_gives_the_recording_that_limit(tmp_path):
    log = tmp_path / "debug.log"
    command = ("timeout -k 1s --foreground 45s /usr/bin/qemu-system-x86_64 --no-reboot "
               "-kernel x86/debug.flat -smp 1 # -initrd /tmp/x\n")
    log.write_text(command + "PASS: one\nqemu-system-x86_64: terminating on signal 15 from pid "
                   "26285 (timeout)\n")
    assert recording.logged_timeout(str(log)) == 45
    log.write_text(command.replace(" 45s ", " 1.5m ") + "qemu-system-x86_64: terminating on "
                   "signal 15 from pid 1 (timeout)\n")
    assert recording.logged_timeout(str(log)) == 90
    # A run that ended by itself, or a log without run_tests.sh's timeout: no limit of its own.
    log.write_text(command + "EXIT: STATUS=1\n")
    assert recording.logged_timeout(str(log)) is None
    log.write_text("/usr/bin/qemu-system-x86_64 -kernel x.flat\nqemu-system-x86_64: "
                   "terminating on signal 15 from pid 1 (timeout)\n")
    assert recording.logged_timeout(str(log)) is None
    assert recording.logged_timeout(None) is None
