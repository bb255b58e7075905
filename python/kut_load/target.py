"""The gdb side of reading the target: architecture, memory, registers and
QEMU's monitor. Every gdb failure becomes a TargetError with one sentence."""

import gdb

from kut_load import connection, register_cache, session
from kut_load.errors import TargetError, whole_read
from kut_load.quoting import printable


# {gdb's connection key: the QemuProcess behind it}: one connection is to one QEMU.
_qemu_processes = {}


def qemu_process():
    """The local QEMU behind the selected inferior's connection
    (qemu.process.QemuProcess, looked up through /proc once per connection);
    one that knows nothing where gdb is not connected."""
    from kut_load.qemu.process import QemuProcess  # /proc: only where a file is looked up
    inferior = gdb.selected_inferior()
    key = connection.key(inferior) if inferior.pid else None
    if key is None:
        return QemuProcess(None)
    if key not in _qemu_processes:
        _qemu_processes.clear()  # a connection ends before the next one starts
        _qemu_processes[key] = QemuProcess(connection.details(inferior))
    return _qemu_processes[key]


class GdbTarget:
    """The inferior gdb is attached to, checked to be there and stopped."""

    def __init__(self):
        self.inferior = gdb.selected_inferior()
        thread = gdb.selected_thread()
        if self.inferior.pid == 0 or thread is None:
            raise TargetError(not_connected_message(self.inferior))
        if self._running(thread):
            raise TargetError("the target is running; interrupt it (Ctrl-C or "
                              "'interrupt') first")
        # A reset done behind gdb's back (`monitor system_reset`) leaves gdb's
        # registers stale, and gdb would resume from the pc it cached.
        register_cache.flush_if_stale()
        self._roms = None
        self._pcs_read = False

    def architecture_name(self):
        """gdb's name of the target's architecture, e.g. "powerpc:common64"."""
        return self.inferior.architecture().name()

    def _running(self, thread):
        """Whether any CPU runs; in all-stop mode (gdb's default) every thread
        stops with the selected one, so only non-stop mode lists the threads,
        which costs two remote round trips (qfThreadInfo, qsThreadInfo)."""
        if thread.is_running():
            return True
        if not gdb.parameter("non-stop"):
            return False
        try:
            # Listing threads asks the remote, which refuses while the target runs.
            return any(other.is_running() for other in self.inferior.threads())
        except gdb.error:
            return True

    def read_memory(self, address, length):
        try:
            data = bytes(self.inferior.read_memory(address, length))
        except (gdb.MemoryError, gdb.error) as error:
            raise TargetError("cannot read %d bytes of target memory at %#x: %s"
                              % (length, address, error)) from None
        return whole_read(data, address, length)

    def monitor(self, command):
        """QEMU's monitor answer, or None when the stub has no monitor."""
        return session.monitor(command)

    def roms(self):
        if self._roms is None:
            from kut_load.qemu.roms import parse_info_roms  # only finders' fallbacks and x86 ask
            self._roms = parse_info_roms(self.monitor("info roms") or "")
        return self._roms

    def cpu_pcs(self):
        """The pc of every CPU, for finding an image a CPU runs in."""
        return [self.read_pc(thread) for thread in self.inferior.threads()]

    def boot_cpu_pc(self):
        """The pc of the lowest-numbered thread, whichever thread is selected."""
        boot_cpu = min(self.inferior.threads(), key=lambda thread: thread.num)
        return self.read_pc(boot_cpu)

    def read_pc(self, thread):
        if not self._pcs_read:
            # Where to look comes from the pcs: read them from QEMU, whatever gdb cached.
            register_cache.flush()
            self._pcs_read = True
        selected_thread = gdb.selected_thread()
        try:
            selected_frame = gdb.selected_frame()
        except gdb.error:
            selected_frame = None
        try:
            thread.switch()
            return int(gdb.newest_frame().pc())
        except gdb.error as error:
            raise TargetError("cannot read the pc of thread %d: %s"
                              % (thread.num, error)) from None
        finally:
            # Put the user's selection back as it was.
            if selected_thread is not None and selected_thread.is_valid():
                selected_thread.switch()
                if selected_frame is not None and selected_frame.is_valid():
                    selected_frame.select()


def architecture_source():
    """(cause, fix) when gdb's architecture may not be what QEMU reported: set
    by hand, or taken from a main file of another kind; None when it is gdb's
    own choice from the target."""
    if '"auto"' not in gdb.execute("show architecture", to_string=True):
        return "set by hand", "run 'set architecture auto'"
    main_file = gdb.current_progspace().filename
    if main_file:
        return ("taken from gdb's main file %s" % printable(main_file),
                "run 'file' with no argument to drop it (kut-load needs no main file)")
    return None


def not_connected_message(inferior):
    """Why there may be no target: gdb refuses to connect to a QEMU whose
    registers do not fit gdb's architecture, when that was set by hand or
    taken from a main file of another kind (x86's 32-bit X.flat)."""
    text = "no target is connected; start QEMU with -s -S and run 'target remote :1234' first"
    source = architecture_source()
    if source is None:
        return text
    return ("%s; if 'target remote' said \"Remote 'g' packet reply is too long\", gdb's "
            "architecture %s (%s) is not QEMU's: %s, then 'target remote' again"
            % (text, inferior.architecture().name(), *source))
