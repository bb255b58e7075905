"""The test's QEMU command, changed to wait for gdb and to keep off the terminal.

gdb owns the terminal during the session, so no part of QEMU may read it or
write to it: every stdio character device becomes the console file, a stdio
monitor goes away, and -nographic (serial port and monitor muxed on stdio)
becomes -display none with the serial port in the console file.
"""

from kut_load.qemu import options as qemu_options
from kut_load.qemu.options import Item

# Replaced by kut-debug's own -S -gdb on a port it chose.
GDB_STUB_OPTIONS = frozenset(["-s", "-S", "-gdb"])
# -daemonize would detach QEMU from the session that must end it.
DROPPED_OPTIONS = frozenset(["-daemonize"])
# Options whose value names one character device, as "stdio" or "mon:stdio".
DEVICE_OPTIONS = frozenset(["-serial", "-parallel", "-debugcon"])
MONITOR_OPTIONS = frozenset(["-monitor", "-qmp", "-qmp-pretty"])
# What a stdio chardev keeps when it becomes a file; `signal` exists only for stdio.
KEPT_CHARDEV_KEYS = ("id", "mux", "logfile", "logappend")
CONSOLE_ID = "kutconsole%d"


def is_stdio(value):
    return value in ("stdio", "mon:stdio")


def split_qemu_opts(value):
    """QEMU's "a,b=c,d" option syntax, where ",," is a comma inside a value."""
    parts = [""]
    index = 0
    while index < len(value):
        if value.startswith(",,", index):
            parts[-1] += ","
            index += 2
        elif value[index] == ",":
            parts.append("")
            index += 1
        else:
            parts[-1] += value[index]
            index += 1
    return parts


def escape_qemu_opt(value):
    return value.replace(",", ",,")


def opts_key(part):
    return part.split("=", 1)[0]


def file_chardev(kept_parts, console_path):
    """A file chardev appending to the console file, so that QEMU's own stderr,
    opened by kut-debug in append mode, interleaves with the guest's output."""
    return ",".join(["file"] + kept_parts +
                    ["path=" + escape_qemu_opt(console_path), "append=on"])


class _Rewriter:
    def __init__(self, console_path):
        self.console_path = console_path
        self.console_count = 0
        self.stdio_chardev_ids = set()

    def console_device(self):
        """A new chardev on the console file: its -chardev Item and its name."""
        chardev_id = CONSOLE_ID % self.console_count
        self.console_count += 1
        value = file_chardev(["id=" + chardev_id], self.console_path)
        return Item("-chardev", value), "chardev:" + chardev_id

    def stdio_chardev(self, value):
        """-chardev stdio,... as a file chardev; None if it is not a stdio one."""
        parts = split_qemu_opts(value)
        if parts[0] != "stdio":
            return None
        kept = [part for part in parts[1:] if opts_key(part) in KEPT_CHARDEV_KEYS]
        self.stdio_chardev_ids.update(part.split("=", 1)[1] for part in kept
                                      if opts_key(part) == "id")
        return file_chardev(kept, self.console_path)

    def uses_stdio_chardev(self, mon_value):
        return any(part in ("chardev=" + chardev_id for chardev_id in self.stdio_chardev_ids)
                   for part in split_qemu_opts(mon_value))

    def rewrite(self, argv):
        items = qemu_options.items(argv[1:])
        names = {item.name for item in items}
        # Chardevs first: a -mon may name one that is defined after it.
        chardevs = {index: self.stdio_chardev(item.value) for index, item in enumerate(items)
                    if item.name == "-chardev" and item.value is not None}
        result = []
        for index, item in enumerate(items):
            if item.name in GDB_STUB_OPTIONS or item.name in DROPPED_OPTIONS:
                continue
            if item.name == "-nographic":
                continue
            if item.name == "-chardev" and chardevs.get(index):
                result.append(Item("-chardev", chardevs[index]))
            elif item.name in DEVICE_OPTIONS and is_stdio(item.value):
                chardev, device = self.console_device()
                result += [chardev, Item(item.name, device)]
            elif item.name in MONITOR_OPTIONS and is_stdio(item.value):
                continue
            elif item.name == "-mon" and item.value and self.uses_stdio_chardev(item.value):
                continue
            elif item.name == "-curses" or (item.name == "-display" and item.value
                                            and item.value.startswith("curses")):
                result.append(Item("-display", "none"))
            else:
                result.append(item)
        result_names = {item.name for item in result}
        defaults = "-nodefaults" not in names
        if defaults and "-serial" not in names:
            # QEMU's default serial port: on stdio with -nographic, else in a window
            # that -display none takes away.
            chardev, device = self.console_device()
            result += [chardev, Item("-serial", device)]
        if "-display" not in result_names:
            result.append(Item("-display", "none"))
        if defaults and not result_names & {"-monitor", "-mon", "-qmp", "-qmp-pretty"}:
            result.append(Item("-monitor", "none"))
        return argv[:1] + qemu_options.words(result)


def for_gdb(argv, console_path):
    """argv without gdb stub options and with nothing on the terminal; the
    guest's console (what went to stdio) goes to console_path."""
    return _Rewriter(console_path).rewrite(argv)


def gdb_stub_words(port):
    """QEMU options: paused at the first instruction, gdb stub on a loopback port."""
    return ["-S", "-gdb", "tcp:127.0.0.1:%d" % port]


def with_gdb_stub(argv, port):
    """argv paused at the first instruction, waiting for gdb on a loopback port."""
    return argv + gdb_stub_words(port)
