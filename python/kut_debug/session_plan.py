"""The plan of one kut-debug session, made before anything starts: what
starts QEMU (the tree's run script, a log's command, the command after --,
a replay), the console file, and gdb's start-up commands."""

import os
import shlex
from collections import namedtuple

from kut_load import file_names
from kut_load.break_fail.log import logged_end, qemu_errors

from kut_debug import fail_stop, gdb_session
from kut_debug.processes import paused_command, paused_qemu
from kut_debug.tree import kvm_tree, qemu_command, tree_files
from kut_debug.tree.console_files import console_for_test, new_console_file
from kut_debug.errors import DebugError
from kut_debug.processes.programs import gdb_command, resolve_qemu
from kut_debug.record import session as record_session, recording


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


def refuse_test_image(tree, argument):
    """A test's image given where its log or test name goes."""
    if not argument.endswith(file_names.SUFFIXES) or not os.path.isfile(argument):
        return
    base = file_names.stem(os.path.basename(argument))
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


# A KVM run QEMU could not start (an abort, a KVM internal error) may start under TCG.
UNDER_TCG = " (ACCEL=tcg kut-debug %s runs it under TCG, if this host's KVM cannot)"


def log_without_test_run(log, lines):
    """What a test's log that holds no run of it says of how it ended."""
    errors = qemu_errors(lines)
    ended = logged_end("\n".join(lines)) or (errors and "QEMU said " + errors[0])
    return "%s holds no run of the test%s" % (log, ": " + ended if ended else "")


def recorder_unless_refused(options, notes, make):
    """make()'s recorder; where QEMU cannot record the run and only --why asked
    for it, None, options.record off, and a note saying why."""
    try:
        return make()
    except DebugError as refused:
        if not getattr(options, "why_records", False):
            raise
        options.record = False
        notes.append("not recorded, so kut-why shows the check's values but cannot go back "
                     "to where they were set: %s" % refused)
        return None


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
            recorder = recorder_unless_refused(
                options, notes, lambda: record_session.recorder_direct(
                    [resolve_qemu(argv[0])] + argv[1:],
                    options.recording or recording.directory_for(name), None))
    else:
        tree = kvm_tree.find_tree()
        refuse_test_image(tree, options.test)
        name = test_name_of(options.test)
        log = tree_files.log_path(options.test)
        log_accel = None
        accel_of = "the logged run"  # whose accelerator log_accel is
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
                log_accel = qemu_command.logged_accelerator(empty.lines)
                if is_log_argument(options.test):
                    raise DebugError("%s; give the test's name, %s, to run it as %s says%s" % (
                        log_without_test_run(log, empty.lines), name, tree.unittests,
                        UNDER_TCG % name if log_accel and log_accel[0] == "kvm" else "")
                    ) from None
                accel_of = "the run script's probe of QEMU in the log"
                notes.append("%s; running it as %s says" % (
                    log_without_test_run(log, empty.lines), tree.unittests))
        # The logged run's accelerator, unless the user chose one (run_tests.sh's ACCEL).
        accel = None if os.environ.get("ACCEL") else log_accel
        cpu = tree and log_line and kvm_tree.logged_cpu_override(tree, log_argv, os.environ)
        run = tree and kvm_tree.find_test_if_listed(tree, name, os.environ,
                                                    accel and accel[0], [cpu] if cpu else [])
        if run:
            if accel:
                notes.append("ACCEL=%s, the accelerator of %s (%s); set ACCEL to run under "
                             "another" % (accel[0], accel_of, accel[1]))
            if cpu:
                notes.append("%s=%s, the CPU model of the logged run; set %s to run another"
                             % (cpu + cpu[:1]))
            console = options.console or (tree_files.console_path_for_log(log) if fail_log
                                          else console_for_test(name, options))
            start = plan_run_script(tree, run, options, console)
            if options.record:
                recorder = recorder_unless_refused(
                    options, notes, lambda: record_session.recorder_run_script(
                        tree, run, options.recording or recording.directory_for(name), fail_log,
                        log_argv if log_line else None))
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
                recorder = recorder_unless_refused(
                    options, notes, lambda: record_session.recorder_direct(
                        [resolve_qemu(log_argv[0])] + log_argv[1:],
                        options.recording or recording.directory_for(name), log))
        elif tree is None:
            raise DebugError("%s: no such log file, and this directory is no kvm-unit-tests tree "
                             "(no %s with a run script), where a test name is looked up in "
                             "unittests.cfg; run kut-debug in the tree" % (log, kvm_tree.CONFIG))
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
    gdb_commands = gdb_session.steps_after_connecting(
        start.elf, options.break_at, options.ex, stop, replay_again, start.console)
    gdbinit = gdb_session.find_gdbinit(script_path)
    gdb = gdb_command(options.gdb)
    return Plan(start.launch, start.what, start.start_timeout, start.console, gdb, gdbinit,
                gdb_commands, log_line, notes, prepare)
