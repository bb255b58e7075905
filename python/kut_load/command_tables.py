"""Every gdb command's options, declared once: each CommandLine gives its
command's parser (command_line.parse), its TAB completion (completion.py)
and the "Options:" part of its help (gdb_commands.py). One small module, as
gdb's start-up imports it for the help."""

from kut_load.command_line import ADDRESS, FILE, CommandLine, Operand, Option
from kut_load.file_names import SYMBOL_FILE_SUFFIXES

# What kut-load loads: a test's ELF, or an EFI test's X.efi or X.efi.debug
# (planner.py); never the .flat that QEMU boots: its symbols are in the .elf.
TEST_FILE = Operand("ELF", "elf", "ELF file", SYMBOL_FILE_SUFFIXES)

KUT_LOAD = CommandLine("kut-load", [
    Option(("--address",), "Where the image starts in the guest (a number, or a gdb "
                           "expression such as $kut_base); skips detection.", "ADDR", ADDRESS),
    Option(("--dry-run",), "Print the commands a load would run; change nothing."),
    Option(("--force",), "Load even if target memory does not match the ELF."),
    Option(("-v", "--verbose"), "Show what was read, how it was decoded, the sections and "
                                "the checks."),
    Option(("--version",), "Print kut-load's version."),
    Option(("-h", "--help"), "Show this help."),
], TEST_FILE)

KUT_BREAK_FAIL = CommandLine("kut-break-fail", [
    Option(("--at",), "Stop first at the Nth unexpected failure (1 is the first); with "
                      "--log, at the log's first FAIL line that contains TEXT.", "N|TEXT"),
    Option(("--log",), "The test's log (logs/TEST.log): each stop shows the log's FAIL line "
                       "of the same number.", "LOG", FILE),
    Option(("--console",), "Where QEMU writes the guest's console (-serial file:FILE): each "
                           "stop also shows the FAIL line this run printed, and whether it "
                           "is the log's.", "FILE", FILE),
    Option(("--breakpoints",), "Use the line breakpoints even where a hardware watchpoint "
                               "could be used (for a QEMU that refuses watchpoints)."),
    Option(("--off",), "Remove the watchpoint and breakpoints."),
    Option(("-h", "--help"), "Show this help."),
])

# The words of kut-debug's start-up script: kut_debug/gdb_session.py writes
# them, and kut-debug-step (debug_steps/step.py) reads them, one step a line.
KUT_DEBUG_STEP = CommandLine("kut-debug-step", [
    Option(("--connect",), "target remote TARGET, in all-stop mode where QEMU's stub refuses "
                           "the user's non-stop, and as QEMU's architecture where gdb cannot "
                           "read QEMU's register description.", "TARGET"),
    Option(("--break-at",), "Break at LOCATION; under KVM a temporary hardware breakpoint, "
                            "with the test's code read-only for gdb.", "LOCATION"),
    Option(("--continue-all",), "Continue every vCPU, whatever scheduler-locking says."),
    Option(("--ex",), "A command of the user's: where it fails, its error line, and the next "
                      "step runs, as with gdb -ex.", "COMMAND"),
    Option(("--console",), "The guest's console file, read where the guest ends.", "FILE", FILE),
    Option(("--replay-again",), "The command that replays the recorded run again, named "
                                "where the replay ends.", "COMMAND"),
    Option(("--end-of-batch",), "End gdb -batch with status 1 if the last step failed."),
], Operand("COMMAND", "command", "gdb command", ()))
