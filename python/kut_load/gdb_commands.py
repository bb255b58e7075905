"""Registers every gdb command and setting of kut-load and kut-debug; imported
by the gdbinit at every gdb start, so it imports nothing but gdb: each
command's work is in its own module, imported at the command's first use."""

import gdb


def complete_arguments(options, text, word):
    """gdb completion for a command taking options and files: the options
    that start the argument being typed, else file names.
    text: the arguments so far; word: the part gdb replaces, which may start
    after a '-' (one of gdb's word break characters), or None when gdb only
    asks which word break characters to use."""
    typed = text.split()[-1] if text and not text[-1].isspace() else ""
    if not typed.startswith("-"):
        # gdb's file name completer reads the whole text, so it serves the first word only.
        if word is None or word == text:
            return gdb.COMPLETE_FILENAME
        names = file_names(word)
        if len(names) == 1 and names[0].endswith("/"):
            # gdb adds a space after a lone match; offering the directory's
            # entries instead lets the next TAB go on into it.
            return file_names(names[0]) or names
        return names
    if word is None:
        return []  # gdb's default word break characters
    cut = len(typed) - len(word)
    return [option[cut:] for option in options if option.startswith(typed)]


def file_names(word):
    """The names in word's directory that complete word, a directory's with
    '/'; word keeps what the user typed (a quote, a ~)."""
    import os  # completion only: gdb start-up imports nothing but gdb
    path = os.path.expanduser(word.lstrip("\"'"))
    directory, start = os.path.split(path)
    try:
        names = sorted(os.listdir(directory or "."))
    except OSError:
        return []
    return [word + name[len(start):] + ("/" if os.path.isdir(os.path.join(directory, name))
                                        else "")
            for name in names if name.startswith(start)]


class KutLoadCommand(gdb.Command):
    """Load a kvm-unit-tests image's symbols where QEMU put the image.

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
  continue

Options:
  --address ADDR  Where the image starts in the guest; skips detection.
  --dry-run       Print the commands a load would run; change nothing.
  --force         Load even if target memory does not match the ELF.
  -v, --verbose   Show what was read, how it was decoded, the sections
                  and the checks.
  --version       Print kut-load's version.
  -h, --help      Show this help.

See also: set kut-load auto on, to load symbols whenever gdb connects."""

    OPTIONS = ("--address", "--dry-run", "--force", "--help", "--verbose", "--version")

    def __init__(self):
        super().__init__("kut-load", gdb.COMMAND_FILES)

    def complete(self, text, word):
        return complete_arguments(self.OPTIONS, text, word)

    def invoke(self, argument, from_tty):
        from kut_load.load import command
        command.invoke(argument)


class KutBreakFailCommand(gdb.Command):
    """Stop the guest where the kvm-unit-tests test fails, in the test's frame.

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
stand in for it.

Options:
  --at N        Stop first at the Nth unexpected failure (1 is the first).
  --log LOG     The test's log (logs/TEST.log): each stop shows the log's
                FAIL line of the same number.
  --at TEXT     With --log: stop first at the log's first FAIL line that
                contains TEXT.
  --console FILE  Where QEMU writes the guest's console (-serial file:FILE):
                each stop also shows the FAIL line this run printed, and
                whether it is the log's.
  --breakpoints Use the line breakpoints even where a hardware watchpoint
                could be used (for a QEMU that refuses watchpoints).
  --off         Remove the watchpoint and breakpoints.
  -h, --help    Show this help."""

    OPTIONS = ("--at", "--breakpoints", "--console", "--help", "--log", "--off")

    def __init__(self):
        super().__init__("kut-break-fail", gdb.COMMAND_BREAKPOINTS)

    def complete(self, text, word):
        return complete_arguments(self.OPTIONS, text, word)

    def invoke(self, argument, from_tty):
        from kut_load.break_fail import command as break_fail
        break_fail.invoke(argument)


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
        argv = gdb.string_to_argv(argument)
        if len(argv) != 1:
            raise gdb.GdbError("kut-debug-efi-start takes one file, X.efi or X.efi.debug")
        from kut_load.efi import start
        start.run_until_loaded(argv[0])


class KutDebugStepCommand(gdb.Command):
    """Run one command of kut-debug's start-up script, unless the guest has ended.
Usage: kut-debug-step COMMAND

kut-debug's script runs each of its commands through it: once the guest has
ended, the rest are not run, and the end is one kut-debug line."""

    def __init__(self):
        super().__init__("kut-debug-step", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        from kut_load import debug_script
        debug_script.step(argument)


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
no arguments, so the ELF is found from QEMU's own list of what it loaded."""

    set_doc = "Set whether kut-load runs by itself when gdb connects to QEMU."
    show_doc = "Show whether kut-load runs by itself when gdb connects to QEMU."

    def __init__(self):
        super().__init__("kut-load auto", gdb.COMMAND_DATA, gdb.PARAM_BOOLEAN)
        self.value = False
        self._done = set()
        gdb.events.stop.connect(self._on_stop)

    def get_show_string(self, value):
        return "Automatic kut-load when gdb connects to QEMU is %s." % value

    def get_set_string(self):
        return ""

    def _on_stop(self, event):
        # Off: touch nothing, not even the connection (gdb 13 can assert at exit
        # over a connection object Python made if the target then died).
        if not self.value:
            return
        key = self.connection_key()
        if key is not None and key not in self._done:  # once per connection, not at every stop
            self._done.add(key)
            from kut_load.load import command
            command.auto_load()

    def connection_key(self):
        inferior = gdb.selected_inferior()
        if inferior.connection is None:
            return None
        return (inferior.connection.num, inferior.num)

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
SetKutLoad()
ShowKutLoad()
AUTO_LOAD = AutoLoad()
