"""kut-break-fail's options, declared once (KUT_BREAK_FAIL): its parser
(command.parse), its TAB completion and the "Options:" part of its help are
made from the table. Pure, and light: gdb's start-up reads it for the help."""

from kut_load.command_line import FILE, CommandLine, Option

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
