"""`set kut-load auto on|off`: load symbols by themselves when gdb connects."""

import gdb

from . import report


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

    def __init__(self, command):
        super().__init__("kut-load auto", gdb.COMMAND_DATA, gdb.PARAM_BOOLEAN)
        self.value = False
        self._command = command
        self._done_connections = set()
        gdb.events.stop.connect(self._on_stop)

    def get_show_string(self, value):
        return "Automatic kut-load when gdb connects to QEMU is %s." % value

    def get_set_string(self):
        return ""

    def _on_stop(self, event):
        connection = gdb.selected_inferior().connection
        if not self.value or connection is None:
            return
        key = (connection.num, gdb.selected_inferior().num)
        if key in self._done_connections:
            return
        self._done_connections.add(key)
        try:
            self._command.run([])
        except Exception as error:  # a failed automatic load must not stop the session
            gdb.write("kut-load: automatic load failed: %s\n" % report.sentence(error),
                      gdb.STDERR)
