"""QEMU's trace of device accesses while kut-why steps the guest: the trace
events memory_region_ops_read and _write turned on through QEMU's monitor
(`log trace:EVENT`, which QEMU 8 and later also need to print a trace
event, and `trace-event EVENT on`), written by QEMU's "log" trace backend
to its log file, read back here.

QEMU's log file is the one its command line names (-D FILE); without one,
a file of kut-why's own for the time of the trace, after which QEMU logs
to its standard error again, as it did before. QEMU's log items are those
of its command line again after (-d ITEMS), or none."""

import os
import re
import tempfile

from kut_load.errors import KutLoadError
from kut_load.qemu import options as qemu_options, trace
from kut_load.quoting import printable
from kut_load.target import qemu_process
from kut_load.why.replay import monitor


# QEMU's -d items: "guest_errors,trace:memory_region_ops_*", "in_asm,int".
LOG_ITEMS = re.compile(r"^[\w:*.,-]+$")


class NoDeviceTrace(KutLoadError):
    """QEMU cannot trace device accesses for kut-why here; str() says why."""


def option_value(argv, name):
    """The value of QEMU's command line option name (-D FILE, -d ITEMS), or None."""
    return next((item.value for item in qemu_options.items(argv[1:])
                 if item.name == name and item.value), None)


class DeviceTrace:
    """A context: QEMU traces device accesses inside it; accesses() gives
    those traced since the last call, as qemu.trace.Access values."""

    def __init__(self):
        process = qemu_process()
        if process.pid is None:
            raise NoDeviceTrace("the QEMU behind gdb's connection is not a process of this "
                                "machine, whose log kut-why could read")
        for event in trace.EVENTS:
            if event not in monitor("info trace-events " + event):
                raise NoDeviceTrace("this QEMU has no trace event %s" % event)
        given = option_value(process.arguments(), "-D")
        items = option_value(process.arguments(), "-d") or "none"
        # QEMU's own words only go back to gdb's command line (monitor log ITEMS).
        self.log_items = items if LOG_ITEMS.match(items) else "none"
        self.own_directory = None
        if given:
            self.path = os.path.join(process.working_directory() or "", given)
        else:
            self.own_directory = tempfile.mkdtemp(prefix="kut-why-")
            self.path = os.path.join(self.own_directory, "qemu.log")
        self.offset = 0

    def __enter__(self):
        if self.own_directory:
            monitor("logfile %s" % self.path)
        monitor("log %s" % ",".join("trace:" + event for event in trace.EVENTS))
        for event in trace.EVENTS:
            monitor("trace-event %s on" % event)
        self.offset = self._size()
        return self

    def __exit__(self, *exception):
        for event in trace.EVENTS:
            monitor("trace-event %s off" % event)
        monitor("log %s" % self.log_items)
        if self.own_directory:
            monitor("logfile /dev/stderr")
            for name in os.listdir(self.own_directory):
                os.unlink(os.path.join(self.own_directory, name))
            os.rmdir(self.own_directory)
        return False

    def _size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def accesses(self):
        """The device accesses QEMU traced since the last call."""
        try:
            with open(self.path, "rb") as log:
                log.seek(self.offset)
                text = log.read()
        except OSError as error:
            raise NoDeviceTrace("cannot read QEMU's log %s (%s)"
                                % (printable(self.path), error.strerror)) from None
        self.offset += len(text)
        return trace.accesses(text.decode("utf-8", "replace"))
