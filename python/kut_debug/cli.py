"""kut-debug's command line: what to debug, then one session of QEMU and gdb."""

import argparse
import os
import shlex
import shutil
import signal
import sys
import tempfile
from collections import namedtuple

from kut_load import command_line
from kut_load.qemu import linux_proc
from kut_load.break_fail.log import logged_end, qemu_errors

from kut_debug import (fail_stop, gdb_session, kvm_tree, paused_command, paused_qemu,
                       qemu_command, same_run, tree_files)
from kut_debug.record import session as record_session, recording
from kut_debug.errors import DebugError
from kut_debug.launcher import Session, Terminated

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
    if (options.fail or options.fail_at is not None) and options.break_at != "main":
        raise DebugError("give --break or --fail, not both")
    if options.record and options.replay:
        raise DebugError("give --record (a new recording) or --replay (the last one), not both")
    if options.recording and not (options.record or options.replay):
        raise DebugError("--recording names the directory of --record or --replay; give one")
    return options, command


def gdb_command(text):
    """--gdb's words, split as a shell would, its program found on PATH."""
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise DebugError("--gdb %s: %s" % (shlex.quote(text), error)) from None
    if not words:
        raise DebugError("--gdb needs a program, as in --gdb gdb-multiarch")
    return [find_program(words[0], "gdb")] + words[1:]


def find_program(name, what):
    path = shutil.which(name)
    if not path:
        raise DebugError("%s is not installed (%s not found)" % (what, name))
    return path


def resolve_qemu(program):
    """QEMU as the log names it; a log from another machine may name a path
    that is not here, so the same program on PATH stands in for it."""
    if os.sep not in program:
        return find_program(program, "QEMU")
    if os.path.isfile(program) and os.access(program, os.X_OK):
        return program
    found = shutil.which(os.path.basename(program))
    if not found:
        raise DebugError("QEMU is not installed (%s not found, nor %s on PATH)"
                         % (program, os.path.basename(program)))
    sys.stderr.write("kut-debug: %s is not here; using %s\n" % (program, found))
    return found


def kut_version():
    from kut_load import __version__
    return __version__


def signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return "signal %d" % signum


# Console files kut-debug made up itself: removed when it ends, so /tmp does not fill.
TEMPORARY_CONSOLES = []


def new_console_file():
    handle, path = tempfile.mkstemp(prefix="kut-debug-", suffix=".console")
    os.close(handle)
    TEMPORARY_CONSOLES.append(path)
    return path


def remove_temporary_consoles():
    while TEMPORARY_CONSOLES:
        try:
            os.unlink(TEMPORARY_CONSOLES.pop())
        except OSError:
            pass


# Everything checked before QEMU starts: a session that cannot work never begins.
# launch(port) is the argv that starts QEMU with its gdb stub on port; `what`
# names it in messages; log_line is the log's command the run must match.
# notes: lines said once the plan holds, before anything starts.
Plan = namedtuple("Plan", "launch what start_timeout console gdb gdbinit gdb_commands log_line "
                          "notes prepare", defaults=(None,))

MIGRATION_REFUSAL = ("%s is a migration run (run_migration, -incoming): the test waits for a "
                     "second QEMU that kut-debug does not start; kut-debug does not debug "
                     "migration tests")

MIGRATION_TEST_REFUSAL = ("the command runs the migration test %s: the test waits for a "
                          "migration that a single paused QEMU never gets; kut-debug does not "
                          "debug migration tests")

# How QEMU starts: launch(port) gives the argv, `what` names it in messages.
Start = namedtuple("Start", "launch what start_timeout console elf")


def test_name_of(target):
    """The test a LOG|TESTNAME argument names: logs/T.log -> T."""
    name = os.path.basename(target)
    return name[:-len(".log")] if name.endswith(".log") else name


def is_log_argument(target):
    return target.endswith(".log") or os.sep in target or os.path.isfile(target)


def console_for_test(name, options):
    if options.console:
        return options.console
    # Where run_tests.sh puts the test's log, which it creates too: kept for the user to read.
    try:
        os.makedirs(tree_files.log_directory(), exist_ok=True)
    except OSError:
        return None
    return os.path.join(tree_files.log_directory(), name + ".console")


def plan_direct(argv, options, console):
    """QEMU started by kut-debug itself, from a log's line or the words after --."""
    if "-incoming" in argv:
        raise DebugError(MIGRATION_REFUSAL % "the command")
    migration = kvm_tree.migration_test_run_by(argv)
    if migration:
        raise DebugError(MIGRATION_TEST_REFUSAL % migration)
    kernel_elf = options.elf and tree_files.checked_elf(options.elf)
    elf = kernel_elf or tree_files.elf_for_kernel(tree_files.kernel_of(argv))
    argv = [resolve_qemu(argv[0])] + argv[1:]
    console = console or new_console_file()
    rewritten = paused_command.for_gdb(argv, console)
    return Start(lambda port: paused_command.with_gdb_stub(rewritten, port), "QEMU",
                 paused_qemu.START_TIMEOUT, console, elf)


def plan_run_script(tree, run, options, console):
    """QEMU started by the tree's run script, as run_tests.sh starts it."""
    elf = (options.elf and tree_files.checked_elf(options.elf)) or \
        tree_files.elf_for_kernel(run.kernel)
    console = console or new_console_file()

    def launch(port):
        stub = " ".join(paused_command.gdb_stub_words(port))
        return ["bash", "-c", run.shell_command + " " + stub]
    return Start(launch, "./" + tree.run_script, paused_qemu.RUN_SCRIPT_START_TIMEOUT, console,
                 elf)


IMAGE_SUFFIXES = (".flat", ".elf", ".efi", ".efi.debug")


def refuse_test_image(tree, argument):
    """A test's image given where its log or test name goes."""
    if not argument.endswith(IMAGE_SUFFIXES) or not os.path.isfile(argument):
        return
    base = os.path.basename(argument)
    for suffix in IMAGE_SUFFIXES:
        if base.endswith(suffix):
            base = base[:-len(suffix)]
    names = []
    if tree is not None:
        names = [name for name, entry in kvm_tree.read_tests(tree).items()
                 if os.path.splitext(entry.file)[0] == base]
    raise DebugError("%s is the test image; give its log (logs/TEST.log) or its test name%s, or "
                     "a QEMU command after --" % (argument, " (%s)" % ", ".join(names[:8])
                                                  if names else ""))


def tests_like(tree, name):
    """"; tests whose names contain it: ..." for a test name that is not in unittests.cfg."""
    import difflib
    names = list(kvm_tree.read_tests(tree))
    like = [test for test in names if name in test] or difflib.get_close_matches(name, names, 3)
    if not like:
        return ""
    return "; tests whose names %s: %s" % ("contain it" if name in like[0] else "are close",
                                           ", ".join(like[:10]) + (", ..." if len(like) > 10
                                                                   else ""))


def log_without_test_run(log, lines):
    """What a test's log that holds no run of it says of how it ended."""
    errors = qemu_errors(lines)
    ended = logged_end("\n".join(lines)) or (errors and "QEMU said " + errors[0])
    return "%s holds no run of the test%s" % (log, ": " + ended if ended else "")


def plan_session(options, command, script_path):
    log_line = None
    fail_log = None  # the log whose FAIL lines --fail picks from
    notes = []
    recorder = None  # --record: what records the run before the replay starts
    if command is not None:
        argv = qemu_command.command_from_words(command)
        start = plan_direct(argv, options, options.console)
        name = os.path.splitext(os.path.basename(tree_files.kernel_of(argv)))[0]
        if options.record:
            recorder = record_session.recorder_direct(
                [resolve_qemu(argv[0])] + argv[1:],
                options.recording or recording.directory_for(name), None)
    else:
        tree = kvm_tree.find_tree()
        refuse_test_image(tree, options.test)
        name = test_name_of(options.test)
        log = tree_files.log_path(options.test)
        log_accel = None
        if is_log_argument(options.test) or os.path.isfile(log):
            fail_log = log
            if any(qemu_command.is_migration_line(line)
                   for line in qemu_command.read_log_lines(log)):
                raise DebugError(MIGRATION_REFUSAL % log)
            try:
                log_line, log_argv = qemu_command.read_log_command(log)
                log_accel = qemu_command.accelerator(log_argv)
            except qemu_command.LogWithoutTestRun as empty:
                # A test named, whose logged run never started it: run it as unittests.cfg says.
                if tree is None or name not in kvm_tree.read_tests(tree):
                    raise
                if is_log_argument(options.test):
                    raise DebugError("%s; give the test's name, %s, to run it as %s says" % (
                        log_without_test_run(log, empty.lines), name, tree.unittests)) from None
                log_accel = qemu_command.logged_accelerator(empty.lines)
                notes.append("%s; running it as %s says" % (
                    log_without_test_run(log, empty.lines), tree.unittests))
        # The logged run's accelerator, unless the user chose one (run_tests.sh's ACCEL).
        accel = None if os.environ.get("ACCEL") else log_accel
        cpu = tree and log_line and kvm_tree.logged_cpu_override(tree, log_argv, os.environ)
        run = tree and kvm_tree.find_test_if_listed(tree, name, os.environ,
                                                    accel and accel[0], [cpu] if cpu else [])
        if run:
            if accel:
                notes.append("ACCEL=%s, the accelerator of the logged run (%s); set ACCEL "
                             "to run under another" % accel)
            if cpu:
                notes.append("%s=%s, the CPU model of the logged run; set %s to run another"
                             % (cpu + cpu[:1]))
            console = options.console or (tree_files.console_path_for_log(log) if fail_log
                                          else console_for_test(name, options))
            start = plan_run_script(tree, run, options, console)
            if options.record:
                recorder = record_session.recorder_run_script(
                    tree, run, options.recording or recording.directory_for(name), fail_log)
        elif log_line is not None:
            if "-initrd" in log_line:
                where = ("not in a configured kvm-unit-tests tree" if tree is None
                         else "%s has no test %s" % (tree.unittests, name))
                notes.append("%s: running the log's QEMU command without the environment "
                             "run_tests.sh gave the test (-initrd)" % where)
            start = plan_direct(log_argv, options,
                                options.console or tree_files.console_path_for_log(log))
            log_line = None
            if options.record:
                recorder = record_session.recorder_direct(
                    [resolve_qemu(log_argv[0])] + log_argv[1:],
                    options.recording or recording.directory_for(name), log)
        elif tree is None:
            raise DebugError("%s: no such log file" % log)
        else:
            raise DebugError("%s has no test %s, and there is no %s%s" % (
                tree.unittests, name, log, tests_like(tree, name)))
    prepare = replay_again = None
    if options.record or options.replay:
        directory = options.recording or recording.directory_for(name)
        replay_again = shlex.join(["kut-debug", "--replay", "--recording", directory] +
                                  (["--fail"] if options.fail else []) +
                                  ([options.test] if options.test else ["--"] + command))
        start, fail_log, prepare, fail_console = record_session.replaying(
            start, directory, recorder, fail_log, options.elf)
        log_line = None
    stop = None
    if options.fail or options.fail_at is not None:
        stop = fail_stop.stop_commands(fail_log, options.fail_at,
                                       fail_console if prepare else start.console)
    gdb_commands = gdb_session.commands_after_connecting(
        start.elf, options.break_at, options.ex, stop, replay_again, start.console)
    gdbinit = gdb_session.find_gdbinit(script_path)
    gdb = gdb_command(options.gdb)
    return Plan(start.launch, start.what, start.start_timeout, start.console, gdb, gdbinit,
                gdb_commands, log_line, notes, prepare)


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
    if plan.prepare:
        plan.prepare()
    with tempfile.TemporaryFile("w+") as script, Session() as session:
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
