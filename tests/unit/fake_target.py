"""The target kut-load's code reads, as target.GdbTarget offers it, answered
from fixed memory, monitor answers and pcs; it records every request, each of
which is a round trip to a remote QEMU."""

from kut_load.errors import TargetError
from kut_load.qemu.roms import parse_info_roms


class FakeTarget:
    """memory: {address: bytes}; ram: (start, end) ranges whose bytes nobody
    wrote read as zeros; monitor: {command: answer}, None for a stub without
    QEMU's monitor; roms: the ROM list, else parsed from monitor's "info roms";
    pcs: each CPU's pc, the boot CPU's first; architecture: gdb's name of it;
    connection: what `target remote` was given."""

    def __init__(self, memory=(), ram=(), monitor=None, roms=None, pcs=(),
                 architecture="aarch64", connection="127.0.0.1:1234"):
        self.memory = dict(memory)
        self.ram = list(ram)
        self.answers = monitor
        self.rom_list = None if roms is None else list(roms)
        self.pcs = list(pcs)
        self.architecture = architecture
        self.connection = connection
        self.requests = []

    @property
    def reads(self):
        """(address, length) of each memory read, in order."""
        return [request[1:] for request in self.requests if request[0] == "read"]

    def write(self, address, data):
        self.memory[address] = bytes(data)

    def read_memory(self, address, length):
        self.requests.append(("read", address, length))
        if any(start <= address < end for start, end in self.ram):
            data = bytearray(length)
            for start, written in self.memory.items():
                low, high = max(start, address), min(start + len(written), address + length)
                if low < high:
                    data[low - address:high - address] = written[low - start:high - start]
            return bytes(data)
        for start, written in self.memory.items():
            if start <= address and address + length <= start + len(written):
                return written[address - start:address + length - start]
        # What gdb says of memory QEMU does not map.
        raise TargetError("cannot read %d bytes at %#x" % (length, address))

    def monitor(self, command):
        self.requests.append(("monitor", command))
        if self.answers is None:
            return None
        assert command in self.answers, "no monitor answer for %r" % command
        return self.answers[command]

    def roms(self):
        self.requests.append(("roms",))
        if self.rom_list is not None:
            return self.rom_list
        return parse_info_roms((self.answers or {}).get("info roms") or "")

    def cpu_pcs(self):
        # gdb lists the threads to read each CPU's pc.
        self.requests.append(("threads",))
        return list(self.pcs)

    def boot_cpu_pc(self):
        self.requests.append(("threads",))
        return self.pcs[0] if self.pcs else None

    def architecture_name(self):
        return self.architecture

    def connection_details(self):
        return self.connection
