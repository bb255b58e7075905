"""--record and --replay: one run of the test recorded into logs/T.rr, then
replayed under gdb (the same run every time, forwards and backwards)."""

import os
import shutil
import sys

from kut_load.qemu import options as qemu_options

from kut_debug.processes import paused_command, paused_qemu
from kut_debug.record import qemu_argv, recording
from kut_debug.errors import DebugError

EFI_REFUSAL = ("this tree is built with --enable-efi: the firmware runs from a pflash drive "
               "and the test from a vvfat directory, drives QEMU's record/replay cannot put "
               "behind blkreplay; record a tree built without --enable-efi")


def say(text):
    sys.stderr.write("kut-debug: %s\n" % text)


def real_qemu_for_tree(tree, environ):
    """The QEMU the run script would pick (scripts/arch-run.bash's search_qemu_binary)."""
    names = environ.get("QEMU") or "qemu-system-%s" % (
        environ.get("QEMU_ARCH") or tree.config.get("ARCH_NAME") or tree.arch)
    for name in names.split():
        found = shutil.which(name)
        if found:
            return found
    raise DebugError("QEMU is not installed (%s not found); set QEMU to its path" % names)


def recorder_direct(argv, directory, log):
    """What records argv's run into directory; refuses at once what cannot be recorded."""
    try:
        qemu_argv.check(argv)
    except qemu_argv.Refused as refused:
        raise DebugError(str(refused)) from None

    def record():
        target = recording.fresh(directory)
        recorded = recording.recorded_argv(argv, target)
        target.save_metadata(argv=recorded)
        limit = recording.logged_timeout(log)
        return finish(target, recording.run_recording(recorded, target, logged_timeout=limit),
                      log, limit)
    return record


def recorder_run_script(tree, run, directory, log, logged_argv=None):
    """What records the test as its run script starts it, through the QEMU
    wrapper; refuses at once what the wrapper would, and the -smp of the log's
    QEMU command (logged_argv), which the run script gives again."""
    if tree.efi:
        raise DebugError(EFI_REFUSAL)
    real_qemu = real_qemu_for_tree(tree, os.environ)
    smp = [word for item in qemu_options.items(list(logged_argv or [])[1:])
           if item.name == "-smp" for word in (item.name, item.value)]
    reason = qemu_argv.program_refusal(real_qemu) or (
        smp and qemu_argv.refusal([real_qemu] + smp))
    if reason:
        raise DebugError(reason)

    def record():
        target = recording.fresh(directory)
        environ = recording.wrapper_environment(target, real_qemu)
        environ["QEMU"] = recording.write_wrapper(target)
        limit = recording.logged_timeout(log)
        elapsed = recording.run_recording(["bash", "-c", run.shell_command], target, environ,
                                          what="./" + tree.run_script, logged_timeout=limit)
        return finish(target, elapsed, log, limit)
    return record


def finish(target, elapsed, log, limit=None):
    console = ""
    if os.path.isfile(target.record_console):
        with open(target.record_console, errors="replace") as handle:
            console = handle.read()
    error = qemu_argv.startup_error(console)
    if error:
        raise DebugError("QEMU exited before the guest ran, so nothing was recorded: %s" % error)
    status = qemu_argv.exit_status(console)
    size = sum(os.path.getsize(target.path(name)) for name in os.listdir(target.directory))
    say("recorded the run in %.2f s into %s (%d KB)%s" % (
        elapsed, target.directory, (size + 1023) // 1024,
        "; the guest's exit status was %d" % status if status is not None else ""))
    if limit and elapsed >= limit:
        say("the recording was ended after %g s, as run_tests.sh's timeout ended the logged run"
            % limit)
    note = recording.fail_line_note(log, target)
    if note:
        say(note)
    return target


def add_elf(directory, elf, log):
    recording.Recording(directory).save_metadata(elf=os.path.abspath(elf),
                                                 log=log and os.path.abspath(log))


def replay_launch(directory):
    """launch(port) for the replay of the recording in directory; its console
    file starts empty each time, so its FAIL lines are this replay's."""
    target = recording.Recording(directory)

    def launch(port):
        argv = qemu_argv.replay_argv(target.metadata()["argv"])
        for index, word in enumerate(argv[:-1]):
            if word == "-serial" or word == "-chardev":
                argv[index + 1] = argv[index + 1].replace(
                    os.path.abspath(target.record_console), os.path.abspath(target.replay_console))
        open(target.replay_console, "w").close()
        return paused_command.with_gdb_stub(argv, port)
    return launch


def check_replayable(directory):
    """The recording's metadata, refusing at once a directory that holds none."""
    data = recording.Recording(directory).metadata()
    try:
        qemu_argv.replay_argv(data["argv"])
    except qemu_argv.Refused as refused:
        raise DebugError("%s: %s" % (directory, refused)) from None
    return data


def replaying(start, directory, recorder, fail_log, elf_option):
    """start (a session_plan.Start) changed to replay the recording in directory, the
    log whose FAIL lines the stops name, what runs before the replay (the
    recording itself, for --record), and the console kut-break-fail reads:
    the recorded run's, since going back replays output a second time."""
    target = recording.Recording(directory)
    if recorder is None:
        data = check_replayable(directory)
        elf = start.elf if elf_option or not data.get("elf") else data["elf"]
        fail_log = fail_log or data.get("log")

        def prepare():
            say("replaying the run recorded in %s" % directory)
    else:
        elf = start.elf

        def prepare():
            recorder()
            add_elf(directory, elf, fail_log)
    replay = start._replace(launch=replay_launch(directory), what="QEMU replaying " + directory,
                            start_timeout=paused_qemu.START_TIMEOUT,
                            console=target.replay_console, elf=elf)
    return replay, fail_log, prepare, target.record_console
