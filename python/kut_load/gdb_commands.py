"""Registers every gdb command and setting of kut-load and kut-debug; imported
by the gdbinit at every gdb start, so it imports nothing but gdb and the
option tables (for the help): each command's work is in its own module,
imported at the command's first use, and run through run_command, the one
place where a user error becomes one gdb error line."""

import gdb

from kut_load.command_line import UsageError, documented
from kut_load.command_tables import KUT_BREAK_FAIL as KUT_BREAK_FAIL_OPTIONS, \
    KUT_DEBUG_STEP as KUT_DEBUG_STEP_OPTIONS, KUT_LOAD as KUT_LOAD_OPTIONS


def run_command(command, work, *arguments):
    """work(*arguments), and what it returns, for the gdb command named
    command. Raises gdb.GdbError with one sentence for a user error: a
    KutLoadError, an OSError, the native module's ElfError, or gdb's error when the connection
    to QEMU closed meanwhile. work's own gdb.GdbError passes as it is; any
    other exception is a bug, named in one line (its stack too under
    'set python print-stack full')."""
    from kut_load import native, report
    from kut_load.errors import KutLoadError
    was_live = gdb.selected_inferior().pid != 0
    try:
        return work(*arguments)
    except (KutLoadError, OSError) as error:
        raise gdb.GdbError(report.sentence(error)) from None
    except native.elf_error() as error:
        raise gdb.GdbError(report.sentence(explain_elf_error(error))) from None
    except gdb.error as error:
        if not connection_lost(error, was_live):
            raise
        raise gdb.GdbError(lost_connection_sentence(command, error)) from None
    except gdb.GdbError:
        raise
    except Exception as error:
        # A bug: one line naming it, and the whole stack where the user asked for stacks.
        if gdb.parameter("python print-stack") == "full":
            raise
        raise gdb.GdbError(
            "%s failed inside kut-load (%s: %s); this is kut-load's bug: 'set python print-stack "
            "full' and the same command show where" % (command, type(error).__name__,
                                                       " ".join(str(error).split()))) from None


def connection_lost(error, was_live):
    """Whether gdb's error is the remote connection going away under the command."""
    from kut_load import connection
    return connection.closed_by(error) or connection.ended(was_live)


def lost_connection_sentence(command, error):
    """One line for a QEMU that went away (a reset under --no-reboot, a kill, its end)."""
    return ("the connection to QEMU closed while %s read the target (%s); "
            "QEMU exited or dropped gdb (x86/run's --no-reboot makes a reset end QEMU): start "
            "it again and run 'target remote'" % (command, str(error).rstrip(".")))


def explain_elf_error(error):
    """Adds the likely fix when the file given is QEMU's flat image."""
    text = str(error)
    if "not an ELF file" in text and ".flat:" in text:
        text += "; QEMU boots the .flat, but the symbols are in the .elf beside it"
    return text


def complete_arguments(line, text, word):
    """gdb completion of CommandLine line's arguments (see completion.complete)."""
    from kut_load import completion  # completion only: gdb start-up imports nothing more
    return completion.complete(line, text, word, gdb.COMPLETE_FILENAME)


class KutLoadCommand(gdb.Command):
    __doc__ = documented(KUT_LOAD_OPTIONS, """\
Load a kvm-unit-tests image's symbols where QEMU put the image.

Usage: kut-load [OPTIONS] [ELF]

Finds where QEMU loaded the test image and runs add-symbol-file on ELF so
that every section lands where the image really is: a PIE linked at 0 is
offset to the load address, an image linked at its run address is loaded
as it is. Prints what it loaded, where, and how it found the address, and
sets $kut_base to the load address. Loading again replaces the symbols
loaded before; breakpoints stay. A main file of the test (gdb X.elf) or of
another test is replaced, and copies added by hand are removed.

For a UEFI test, give X.efi or X.efi.debug (each beside the other) while the
test runs: the image is found through the firmware's debug image table, or
by its PE header below a CPU's pc, and X.efi.debug is loaded there.

Without ELF, takes the local QEMU's -kernel argument, or else the file of
QEMU's ROM (monitor info roms) that holds the load address, and uses the
ELF beside it: X.flat -> X.elf, X.efi -> X.efi.debug, looked up from gdb's
working directory, then from QEMU's, taking the first that matches; an EFI
test on QEMU's FAT directory is found by its contents.

The load address comes from decoding QEMU's boot loader where QEMU placed
it, so it works at any moment and from any vCPU; then from QEMU's ROM list;
then from the image's own code in memory. Before loading, the ELF's code
is compared with target memory (bytes the image relocates are skipped).

Start QEMU with -s -S (or -gdb tcp::PORT -S), then in gdb:
  target remote :1234
  kut-load arm/gic.elf
  break main
  continue""", "See also: set kut-load auto on, to load symbols whenever gdb connects.")

    def __init__(self):
        super().__init__("kut-load", gdb.COMMAND_FILES)

    def complete(self, text, word):
        return complete_arguments(KUT_LOAD_OPTIONS, text, word)

    def invoke(self, argument, from_tty):
        from kut_load.load import command
        if run_command("kut-load", command.run, gdb.string_to_argv(argument)):
            AUTO_LOAD.loaded()


class KutBreakFailCommand(gdb.Command):
    __doc__ = documented(KUT_BREAK_FAIL_OPTIONS, """\
Stop the guest where the kvm-unit-tests test fails, in the test's frame.

Usage: kut-break-fail [--at N|TEXT] [--log LOG] [--console FILE] [--breakpoints]
       kut-break-fail --off

Run it after kut-load, then continue. The guest stops at the first
unexpected failure (a FAIL or XPASS line), with the test's frame selected:
the report() call whose check failed, at its file:line. Each continue goes
on to the next one. Expected failures (XFAIL), KFAIL, PASS and SKIP never
stop. The guest also stops once where the test ends early: report_abort(),
abort() (so a failed assert), or an unhandled exception, where it shows the
file:line the exception was taken at. When the test ends, it says how many
checks failed by the test's own count (its failures counter at
report_summary, or the console's SUMMARY line), or that it could not read it.

Unexpected failures are found by a hardware watchpoint on the static
`failures` counter of kvm-unit-tests' lib/report.c, which counts exactly
FAIL and XPASS, however the report functions are named or inlined.
Where gdb may not use hardware watchpoints (set can-use-hw-watchpoints 0),
breakpoints on the source lines of lib/report.c that raise the counter
stand in for it.""")

    def __init__(self):
        super().__init__("kut-break-fail", gdb.COMMAND_BREAKPOINTS)

    def complete(self, text, word):
        return complete_arguments(KUT_BREAK_FAIL_OPTIONS, text, word)

    def invoke(self, argument, from_tty):
        from kut_load.break_fail import command as break_fail
        run_command("kut-break-fail", break_fail.run, gdb.string_to_argv(argument))


class KutDebugEfiStartCommand(gdb.Command):
    """Run an EFI test's firmware until it has loaded the test, and stop there.
Usage: kut-debug-efi-start X.efi|X.efi.debug

kut-debug runs it before kut-load for an EFI test: the guest continues, in
short slices and then under a hardware watchpoint on EDK2's debug image
table, and stops once the firmware has loaded X.efi, before its entry point
runs. EDK2 firmware only (QEMU_EFI.fd, OVMF)."""

    def __init__(self):
        super().__init__("kut-debug-efi-start", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    def invoke(self, argument, from_tty):
        run_command("kut-debug-efi-start", wait_for_efi_load, gdb.string_to_argv(argument))


def wait_for_efi_load(argv):
    """kut-debug-efi-start's work: argv is its one file."""
    if len(argv) != 1:
        raise UsageError("kut-debug-efi-start takes one file, X.efi or X.efi.debug")
    from kut_load.debug_steps import efi_wait
    efi_wait.run_until_loaded(argv[0])


class KutDebugStepCommand(gdb.Command):
    __doc__ = documented(KUT_DEBUG_STEP_OPTIONS, """\
Run one step of kut-debug's start-up script, unless the guest has ended.

Usage: kut-debug-step [OPTION VALUE | COMMAND]

kut-debug's script runs each of its steps through it: once the guest has
ended, the rest are not run, and the end is one kut-debug line. A step that
fails is its error line: after one of kut-debug's own, the rest are not
run; after one of the user's (--ex), the next one runs, as with gdb -ex.
COMMAND is a gdb command of kut-debug's own, in quotes.""")

    def __init__(self):
        super().__init__("kut-debug-step", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        from kut_load.debug_steps import step
        run_command("kut-debug-step", step.run, gdb.string_to_argv(argument))


class KutWhyCommand(gdb.Command):
    """Say why the check the guest stopped at failed: its condition and values.
Usage: kut-why [EXPRESSION]

In the test's frame of a failing check (kut-break-fail selects it at each
failure), reads the report() call of the frame's line from the test's
source, written over one line or several, and shows its condition, whether
it holds, and the value of each operand of its top-level comparison or
logical operator (reg == (pattern & cpu_mask): reg, then pattern &
cpu_mask), as gdb reads them from the guest in the selected frame. With
EXPRESSION, the same for it. An operand gdb cannot evaluate is named with
gdb's reason: a macro (a build without -g3), a value optimised out."""

    def __init__(self):
        super().__init__("kut-why", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        from kut_load.why import command
        run_command("kut-why", command.run, argument)


class KutReverseStepiCommand(gdb.Command):
    """Go back N instructions in a replay of a recorded run (1 by default).
Usage: kut-reverse-stepi [N]

Runs QEMU's replay to the instruction count N before this one (QEMU's
`info replay`): with QEMU's replay_seek where it replays on the guest's
architecture (arm, aarch64), else by replaying the recording again from its
start, where gdb's reverse-stepi would hang QEMU (x86, riscv64, s390x). No
breakpoint stops the way; the frame there is shown."""

    def __init__(self):
        super().__init__("kut-reverse-stepi", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        from kut_load.why import going_back
        run_command("kut-reverse-stepi", going_back.reverse_stepi, gdb.string_to_argv(argument))


class KutReverseContinueCommand(gdb.Command):
    """Go back to the last breakpoint or watchpoint stop before here, in a replay.
Usage: kut-reverse-continue

As gdb's reverse-continue, on every architecture QEMU replays: the replay
runs from the recording's start to here with stand-ins of the enabled
breakpoints and watchpoints (their hit counts stay as they were), then to
the instruction count of the last stop before here; to the recording's
start where none stops before."""

    def __init__(self):
        super().__init__("kut-reverse-continue", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        from kut_load.why import going_back
        run_command("kut-reverse-continue", going_back.reverse_continue,
                    gdb.string_to_argv(argument))


class KutReverseRefusalCommand(gdb.Command):
    """Refuse gdb's reverse COMMAND where QEMU's replay would hang in it.
Usage: kut-reverse-refusal COMMAND

The hooks kut-debug defines for gdb's reverse commands (hook-reverse-stepi,
...) run it: in a replay on x86, riscv64 or s390x, where QEMU's replay hangs
in reverse-stepi and reverse-continue, it fails with one line naming
kut-reverse-stepi or kut-reverse-continue, and gdb does not run the
command. Elsewhere (arm, aarch64) it does nothing."""

    def __init__(self):
        super().__init__("kut-reverse-refusal", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        from kut_load.why import going_back
        run_command("kut-reverse-refusal", going_back.refusal, gdb.string_to_argv(argument))


class SetKutLoad(gdb.Command):
    """Settings of kut-load."""

    def __init__(self):
        super().__init__("set kut-load", gdb.COMMAND_DATA, prefix=True)


class ShowKutLoad(gdb.Command):
    """Settings of kut-load."""

    def __init__(self):
        super().__init__("show kut-load", gdb.COMMAND_DATA, prefix=True)


class AutoLoad(gdb.Parameter):
    """Whether kut-load loads the test's symbols when gdb connects to QEMU.

When on, the first stop after gdb connects to a target runs kut-load with
no arguments, so the ELF is found from QEMU's own list of what it loaded.
With no main file, the test becomes gdb's main file (symbol-file). When a
front end then reads a main file of its own (file, -file-exec-and-symbols),
kut-load runs again, so that the test's symbols stay where the test runs."""

    set_doc = "Set whether kut-load runs by itself when gdb connects to QEMU."
    show_doc = "Show whether kut-load runs by itself when gdb connects to QEMU."

    def __init__(self):
        super().__init__("kut-load auto", gdb.COMMAND_DATA, gdb.PARAM_BOOLEAN)
        self.value = False
        self._done = set()
        gdb.events.stop.connect(self._on_stop)
        gdb.events.new_objfile.connect(self._on_new_objfile)

    def get_show_string(self, value):
        return "Automatic kut-load when gdb connects to QEMU is %s." % value

    def get_set_string(self):
        return ""

    def _on_stop(self, event):
        # Off: touch nothing, not even the connection (gdb 13 can assert at exit
        # over a connection object Python made if the target then died).
        if not self.value:
            return
        from kut_load.session import own_run
        if own_run():
            return  # kut-why's own stops in a replay: the same guest, loaded
        key = self.connection_key()
        if key is not None and key not in self._done:  # once per connection, not at every stop
            self._done.add(key)
            self.load_quietly()

    def _on_new_objfile(self, event):
        # A main file read by someone else than kut-load, on a connection it loaded.
        from kut_load.load import symbols
        if not self.value or symbols.running_own_command() or \
                event.new_objfile.filename != gdb.current_progspace().filename:
            return
        key = self.connection_key()
        if key is not None and key in self._done:
            # After the command that read it: gdb is in the middle of reading symbols here.
            gdb.post_event(self.load_quietly)

    def load_quietly(self):
        """kut-load with no argument, the test as gdb's main file where there
        is none; a failure is a warning, because it must not break the stop
        that triggered it."""
        from kut_load.load import command
        try:
            if run_command("kut-load", command.run, [], True):
                self.loaded()
        except gdb.GdbError as error:
            from kut_load import report
            report.warning("automatic load failed: %s" % error)

    def connection_key(self):
        from kut_load import connection
        return connection.key(gdb.selected_inferior())

    def loaded(self):
        """A kut-load ran on this connection: the automatic one is not needed."""
        if self.value:
            key = self.connection_key()
            if key is not None:
                self._done.add(key)


KUT_LOAD = KutLoadCommand()
KUT_BREAK_FAIL = KutBreakFailCommand()
KutDebugEfiStartCommand()
KutDebugStepCommand()
KutWhyCommand()
KutReverseStepiCommand()
KutReverseContinueCommand()
KutReverseRefusalCommand()
SetKutLoad()
ShowKutLoad()
AUTO_LOAD = AutoLoad()


def register_past_main_filter():
    from kut_load.past_main import NAME, PastMainFilter
    gdb.frame_filters[NAME] = PastMainFilter()


register_past_main_filter()


def register_exception_unwinder():
    import gdb.unwinder
    from kut_load.exception_frames import (FILTER_NAME, ExceptionEntryUnwinder,
                                           InterruptedFrameFilter, forget_frames,
                                           forget_symbols)
    gdb.unwinder.register_unwinder(None, ExceptionEntryUnwinder(), replace=True)
    gdb.frame_filters[FILTER_NAME] = InterruptedFrameFilter()
    # The symbols behind the cached entry lookups change with the objfiles.
    gdb.events.new_objfile.connect(forget_symbols)
    gdb.events.clear_objfiles.connect(forget_symbols)
    gdb.events.cont.connect(forget_frames)


register_exception_unwinder()


def follow_register_cache():
    from kut_load import register_cache
    register_cache.install()


follow_register_cache()
