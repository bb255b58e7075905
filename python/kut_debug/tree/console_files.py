"""Where the guest's console output goes: logs/TEST.console beside the test's
log, or a temporary file kut-debug removes when it ends."""

import os
import tempfile

from kut_debug.tree import tree_files


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


def console_for_test(name, options):
    if options.console:
        return options.console
    # Where run_tests.sh puts the test's log, which it creates too: kept for the user to read.
    try:
        os.makedirs(tree_files.log_directory(), exist_ok=True)
    except OSError:
        return None
    return os.path.join(tree_files.log_directory(), name + ".console")
