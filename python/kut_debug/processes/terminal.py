"""The terminal's settings, put back after gdb: a gdb that crashed or was
killed leaves readline's raw mode behind."""

import os
import sys


class TerminalSettings:
    def __init__(self):
        self.saved = None
        try:
            import termios
            fd = sys.stdin.fileno()
            # Only a foreground process may set them back without being stopped.
            if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp():
                self.saved = termios.tcgetattr(fd)
        except (ImportError, OSError, ValueError):
            self.saved = None

    def restore(self):
        if self.saved is None:
            return
        import termios
        try:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self.saved)
        except (OSError, termios.error):
            pass
