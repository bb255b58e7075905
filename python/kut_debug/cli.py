"""kut-debug's command line: what to debug, then one session of QEMU and gdb."""

import argparse
import os
import shlex
import shutil
import signal
import sys
import tempfile
from collections import namedtuple

from . import fail_stop, gdb_session, paused_command, qemu_command, tree_files
from .errors import DebugError
from .launcher import Session, Terminated

DESCRIPTION = """\
Start a kvm-unit-tests test under QEMU, paused, and gdb-multiarch attached to
it with the test's symbols loaded by kut-load, stopped at main.

Run it in the kvm-unit-tests tree, after ./run_tests.sh -v has written
logs/TEST.log. The QEMU command is the log's first line, without the
`timeout ...` in front and the `# -initrd ...` comment at the end; an -append
value whose quotes the log lost is joined into one argument again."""

EPILOG = """\
what it does:
  QEMU runs in the current directory with the log's command plus
  -S -gdb tcp:127.0.0.1:PORT on a free loopback port; -s, -S and -gdb the
  command had are dropped. gdb-multiarch then runs kut-load's gdbinit and
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
  kut-debug logs/gicv2-mmio-up.log
  kut-debug gicv2-mmio-up
  kut-debug --break report_summary gicv2-mmio-up
  kut-debug --fail gicv2-mmio-up
  kut-debug --fail-at 2 gicv2-mmio-up
  kut-debug --batch --ex 'info line *$pc' --ex bt selftest-setup
  kut-debug -- qemu-system-aarch64 -machine virt -cpu max -kernel arm/selftest.flat"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise DebugError("%s; see kut-debug --help" % message)


def make_parser():
    parser = _Parser(prog="kut-debug", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     usage="%(prog)s [OPTIONS] LOG|TESTNAME\n"
                           "       %(prog)s [OPTIONS] -- QEMU-COMMAND...")
    parser.add_argument("test", nargs="?", metavar="LOG|TESTNAME",
                        help="a log file, or a test name for logs/TESTNAME.log")
    parser.add_argument("--batch", action="store_true",
                        help="run the --ex commands after the stop, then exit (gdb -batch)")
    parser.add_argument("--ex", action="append", default=[], metavar="CMD",
                        help="a gdb command to run after the stop; repeatable")
    parser.add_argument("--break", dest="break_at", default="main", metavar="LOCATION",
                        help="where to stop instead of main")
    parser.add_argument("--fail", action="store_true",
                        help="stop at the check of the log's first FAIL line, not at main")
    parser.add_argument("--fail-at", metavar="N|TEXT",
                        help="stop at the log's Nth FAIL line, or the first containing TEXT")
    parser.add_argument("--elf", metavar="FILE",
                        help="the test's ELF, instead of the one beside -kernel")
    parser.add_argument("--console", metavar="FILE",
                        help="where the guest's console output goes")
    parser.add_argument("--gdb", default="gdb-multiarch", metavar="PROGRAM",
                        help="the gdb to run (default: gdb-multiarch)")
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
    return options, command


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


def signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return "signal %d" % signum


def new_console_file():
    handle, path = tempfile.mkstemp(prefix="kut-debug-", suffix=".console")
    os.close(handle)
    return path


# Everything checked before QEMU starts: a session that cannot work never begins.
Plan = namedtuple("Plan", "qemu_argv console gdb gdbinit gdb_commands")


def plan_session(options, command, script_path):
    log = None
    if command is not None:
        qemu_argv = qemu_command.command_from_words(command)
        console = options.console
    else:
        log = tree_files.log_path(options.test)
        qemu_argv = qemu_command.read_log_command(log)
        console = options.console or tree_files.console_path_for_log(log)
    if options.elf:
        elf = tree_files.checked_elf(options.elf)
    else:
        elf = tree_files.elf_for_kernel(tree_files.kernel_of(qemu_argv))
    stop = None
    if options.fail or options.fail_at is not None:
        stop = fail_stop.stop_commands(log, options.fail_at, console)
    gdb_commands = gdb_session.commands_after_connecting(elf, options.break_at, options.ex, stop)
    gdbinit = gdb_session.find_gdbinit(script_path)
    gdb = find_program(options.gdb, "gdb")
    qemu_argv = [resolve_qemu(qemu_argv[0])] + qemu_argv[1:]
    console = console or new_console_file()
    return Plan(paused_command.for_gdb(qemu_argv, console), console, gdb, gdbinit, gdb_commands)


def run_session(plan, options):
    """QEMU, then gdb on the terminal; returns gdb's exit status."""
    # An unlinked file, read by gdb through its inherited descriptor: nothing
    # is left behind even when kut-debug is killed.
    with tempfile.TemporaryFile("w+") as script, Session() as session:
        qemu = session.start_qemu(plan.qemu_argv, plan.console)
        script.write(gdb_session.startup_script(qemu.port, plan.gdb_commands))
        script.flush()
        gdb_argv = gdb_session.gdb_argv(plan.gdb, plan.gdbinit, "/dev/fd/%d" % script.fileno(),
                                        options.batch, not options.nx)
        sys.stderr.write("kut-debug: QEMU (pid %d) waits for gdb on 127.0.0.1:%d; "
                         "its console output goes to %s\n"
                         % (qemu.process.pid, qemu.port, plan.console))
        if options.verbose:
            sys.stderr.write("kut-debug: QEMU: %s\nkut-debug: gdb: %s\n"
                             % (shlex.join(qemu.process.args), shlex.join(gdb_argv)))
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
        return 128 + terminated.signum
    except KeyboardInterrupt:
        return 130
