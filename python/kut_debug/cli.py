"""kut-debug's command line: what to debug, then one session of QEMU and gdb."""

import argparse
import os
import shlex
import signal
import sys
import tempfile

from kut_load import command_line
from kut_load.qemu import linux_proc

from kut_debug import gdb_session
from kut_debug.processes import paused_command, paused_qemu
from kut_debug.tree import same_run
from kut_debug.tree.console_files import TEMPORARY_CONSOLES, remove_temporary_consoles
from kut_debug.errors import DebugError
from kut_debug.session_plan import plan_session
from kut_debug.processes.launcher import Session, Terminated

DESCRIPTION = """\
Start a kvm-unit-tests test under QEMU, paused, and gdb-multiarch attached to
it with the test's symbols loaded by kut-load, stopped at main.

Run it in the kvm-unit-tests tree. In a configured tree (config.mak), the
test is looked up in ARCH/unittests.cfg and started as run_tests.sh starts
it, through ARCH/run (ARCH/efi/run for EFI builds) with the gdb stub options
appended: the same accelerator (a log's, unless ACCEL is set), CPU model (a
log's, where the run script takes TARGET_CPU_OVERRIDE and it is not set),
firmware and -initrd environment (ERRATA_*, versions), no timeout. A log's
command is compared with what the run script started; a test named whose
log holds no run of it (its QEMU ended in the run script's probe) runs as
unittests.cfg says. Outside a tree, the log's QEMU
command runs as it is: the line that runs the test (a qemu-system-* program
with only launchers such as timeout in front, not QEMU's own messages),
without the `timeout ...` in front and the `# -initrd ...` comment at the
end; an -append value whose quotes the log lost is joined into one argument
again. Migration tests are refused, named, logged or as a command."""


EPILOG = """\
what it does:
  QEMU runs in the current directory, through the run script or with the
  log's command, plus -S -gdb tcp:127.0.0.1:PORT on a free loopback port; -s,
  -S and -gdb the command had are dropped. An EFI test's firmware runs until
  it has loaded X.efi, not started it. gdb-multiarch then runs kut-load's gdbinit and
    target remote 127.0.0.1:PORT
    kut-load ELF            (X.elf beside -kernel X.flat, X.efi.debug beside X.efi)
    break main              (or --break LOCATION)
    continue
  and then the --ex commands, and leaves you at the gdb prompt (with --batch,
  it exits instead). A failing command stops the ones after it.

where the test failed (--fail, --fail-at):
  Instead of break main, kut-break-fail --log LOG: the guest stops at the
  check of the log's first FAIL line (or the one --fail-at names), with the
  test's frame selected and the FAIL line printed beside it. continue goes
  on to the next unexpected failure. It also stops at an assert, an abort or
  an unhandled exception. If nothing fails, the test runs to its end and
  kut-break-fail says so.

record and replay (--record, --replay):
  --record runs the test once under QEMU's record/replay (TCG, one CPU; arm
  and arm64 only), keeps it in logs/T.rr (or --recording DIR), then replays
  that run under gdb with the stops above; reverse-continue, reverse-next,
  reverse-step, reverse-finish and watchpoints then go back in it. --replay
  replays the kept recording again. arm/run's virtio console (chr-testdev)
  is left out of the recorded command: its replay never starts the guest.

console output:
  Nothing of QEMU uses the terminal, which is gdb's. What the guest wrote to
  stdio (-serial stdio, -serial mon:stdio, -chardev stdio, -nographic's serial
  port) and QEMU's own messages go to a console file instead: logs/TEST.console
  beside logs/TEST.log, a new /tmp/kut-debug-*.console for a command given
  after --, or the file given with --console. kut-debug prints its name once;
  follow it with `tail -f` in another terminal. A stdio monitor is dropped
  (use gdb's `monitor` command), -nographic becomes -display none, and QEMU's
  stdin is /dev/null.

ending:
  QEMU is killed when gdb exits or dies, when kut-debug gets SIGTERM or
  SIGHUP or is killed, and when anything fails to start. Ctrl-C in gdb
  interrupts the guest; it does not end kut-debug.

examples:
  kut-debug gicv2-mmio-up
  kut-debug logs/gicv2-mmio-up.log
  kut-debug --break report_summary gicv2-mmio-up
  kut-debug --fail gicv2-mmio-up
  kut-debug --fail-at 2 gicv2-mmio-up
  kut-debug --batch --ex 'info line *$pc' --ex bt selftest-setup
  kut-debug -- qemu-system-aarch64 -machine virt -cpu max -kernel arm/selftest.flat"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise DebugError("%s%s; see kut-debug --help" % (message, self.near_option(message)))

    def near_option(self, message):
        """" (did you mean --fail?)" for an unrecognized option near one of ours."""
        if not message.startswith("unrecognized arguments: "):
            return ""
        word = message.split(": ", 1)[1].split()[0]
        if not word.startswith("--"):
            return ""
        return command_line.near_option(word, list(self._option_string_actions))


def make_parser():
    parser = _Parser(prog="kut-debug", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     usage="%(prog)s [OPTIONS] LOG|TESTNAME\n"
                           "       %(prog)s [OPTIONS] -- QEMU-COMMAND...")
    parser.add_argument("test", nargs="?", metavar="LOG|TESTNAME",
                        help="a log file, or a test of ARCH/unittests.cfg (its log: "
                             "logs/TESTNAME.log, or in $unittest_log_dir as run_tests.sh puts it)")
    parser.add_argument("--batch", action="store_true",
                        help="run the --ex commands after the stop, then exit (gdb -batch)")
    parser.add_argument("--ex", action="append", default=[], metavar="CMD",
                        help="a gdb command to run after the stop; repeatable")
    parser.add_argument("--break", dest="break_at", default="main", metavar="LOCATION",
                        help="where to stop instead of main")
    parser.add_argument("--version", action="version", version="kut-debug " + kut_version())
    parser.add_argument("--fail", action="store_true",
                        help="stop at the check of the log's first FAIL line, not at main")
    parser.add_argument("--fail-at", metavar="N|TEXT",
                        help="stop at the log's Nth FAIL line, or the first containing TEXT")
    parser.add_argument("--why", action="store_true",
                        help="record the run, stop as --fail does, then say why the check "
                        "failed (kut-why: its condition, each operand's value, and going "
                        "back in the recording, the line that set it and the device read "
                        "it came from); with --replay, in the last recording")
    parser.add_argument("--record", action="store_true",
                        help="record one run of the test (logs/T.rr), then replay it under gdb")
    parser.add_argument("--replay", action="store_true",
                        help="replay the run --record recorded, under gdb (reverse-* work)")
    parser.add_argument("--recording", metavar="DIR",
                        help="where the recording is (default: logs/T.rr)")
    parser.add_argument("--elf", metavar="FILE",
                        help="the test's ELF, instead of the one beside -kernel")
    parser.add_argument("--console", metavar="FILE",
                        help="where the guest's console output goes")
    parser.add_argument("--gdb", default="gdb-multiarch", metavar="COMMAND",
                        help="the gdb to run, with options of its own, as in --gdb "
                             "'gdb-multiarch -x my.gdb' (default: gdb-multiarch)")
    parser.add_argument("--nx", action="store_true",
                        help="do not read ~/.gdbinit and other gdb init files")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the QEMU and gdb command lines it runs")
    return parser


def parse(argv):
    """Options, and the QEMU words after `--` (None without `--`)."""
    command = None
    if "--" in argv:
        split = argv.index("--")
        argv, command = argv[:split], argv[split + 1:]
    options = make_parser().parse_args(argv)
    if command is not None and options.test:
        raise DebugError("give either a log or a command after --, not both")
    if command is None and not options.test:
        raise DebugError("give a log file or a test name; see kut-debug --help")
    # --why records the run to go back in, unless it replays one; where QEMU
    # cannot record it, it stops as --fail does (session_plan says why).
    options.why_records = options.why and not options.replay and not options.record
    if options.why:
        # --fail's stop, then kut-why as the first of the user's commands.
        options.fail = options.fail_at is None
        options.ex = ["kut-why"] + options.ex
        options.record = options.record or options.why_records
    if options.fail_at is not None and options.fail_at.strip().lstrip("-").isdigit() \
            and int(options.fail_at) < 1:
        raise DebugError("--fail-at counts FAIL lines from 1; give 1 or more, or a text of "
                         "the FAIL line")
    if (options.fail or options.fail_at is not None) and options.break_at != "main":
        raise DebugError("give --break or --fail, not both")
    if options.record and options.replay:
        raise DebugError("give --record (a new recording) or --replay (the last one), not both")
    if options.recording and not (options.record or options.replay):
        raise DebugError("--recording names the directory of --record or --replay; give one")
    return options, command


def kut_version():
    from kut_load import __version__
    return __version__


def signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return "signal %d" % signum


def warn_if_not_the_logged_run(plan, qemu, started):
    """started: the argv of the QEMU process, or None if /proc had none."""
    if plan.log_line is None:
        return
    change = started and same_run.difference(plan.log_line, started,
                                             paused_command.gdb_stub_words(qemu.port))
    if change:
        sys.stderr.write("kut-debug: warning: %s did not start the QEMU command of the log: "
                         "%s\n" % (plan.what, change))


def run_session(plan, options):
    """QEMU, then gdb on the terminal; returns gdb's exit status."""
    # An unlinked file, read by gdb through its inherited descriptor: nothing
    # is left behind even when kut-debug is killed.
    for note in plan.notes:
        sys.stderr.write("kut-debug: %s\n" % note)
    with tempfile.TemporaryFile("w+") as script, Session() as session:
        if plan.prepare:  # in the session: a SIGTERM meanwhile ends the recording's QEMU too
            plan.prepare()
        qemu = session.start_qemu(paused_qemu.Qemu(plan.launch, plan.console, plan.what,
                                                   start_timeout=plan.start_timeout))
        started = linux_proc.command_line(qemu.pid, errors="replace")
        warn_if_not_the_logged_run(plan, qemu, started)
        script.write(gdb_session.startup_script(qemu.port, plan.gdb_commands, options.batch))
        script.flush()
        gdb_argv = gdb_session.gdb_argv(plan.gdb, plan.gdbinit, "/dev/fd/%d" % script.fileno(),
                                        options.batch, not options.nx)
        sys.stderr.write("kut-debug: QEMU (pid %d) waits for gdb on 127.0.0.1:%d; "
                         "its console output goes to %s%s\n"
                         % (qemu.pid, qemu.port, plan.console,
                            " (removed when the session ends; --console FILE keeps it)"
                            if plan.console in TEMPORARY_CONSOLES else ""))
        if options.verbose:
            sys.stderr.write("kut-debug: QEMU: %s\nkut-debug: gdb: %s\n"
                             % (shlex.join(started or qemu.process.args),
                                shlex.join(gdb_argv)))
        sys.stderr.flush()
        status = session.run_gdb(gdb_argv, pass_fds=(script.fileno(),))
    if status < 0:
        raise DebugError("%s was killed by %s; QEMU is stopped"
                         % (os.path.basename(gdb_argv[0]), signal_name(-status)))
    return status


def run(argv, script_path):
    options, command = parse(argv)
    return run_session(plan_session(options, command, script_path), options)


def main(argv, script_path):
    try:
        return run(argv, script_path)
    except DebugError as error:
        sys.stderr.write("kut-debug: %s\n" % error)
        return 1
    except Terminated as terminated:
        sys.stderr.write("kut-debug: ended by %s; gdb and QEMU are stopped\n"
                         % signal.Signals(terminated.signum).name)
        return 128 + terminated.signum
    except KeyboardInterrupt:
        return 130
    finally:
        remove_temporary_consoles()
