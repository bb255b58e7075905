"""Real QEMU, paused with a gdb stub on a free loopback port, and the real
gdb-multiarch with the project's gdbinit. Nothing here is mocked."""

import os
import shutil
import subprocess
import tempfile
import time

from kut_load.qemu import loopback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GDBINIT = os.path.join(REPO, "gdbinit")
GUESTS_BUILD = os.path.join(os.environ.get("KUT_BUILD_DIR", os.path.join(REPO, "build")),
                            "tests", "guests")

# How each sample guest is started: kvm-unit-tests' own QEMU lines, trimmed.
QEMU_COMMANDS = {
    "aarch64": ["qemu-system-aarch64", "-machine", "virt", "-cpu", "max"],
    "arm": ["qemu-system-arm", "-machine", "virt", "-cpu", "cortex-a15"],
    "riscv64": ["qemu-system-riscv64", "-machine", "virt"],
    "x86_64": ["qemu-system-x86_64", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4"],
    "i386": ["qemu-system-i386", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4"],
    # kvm-unit-tests' powerpc/run: pseries with its own -bios boot_rom.bin.
    "ppc64": ["qemu-system-ppc64", "-machine", "pseries", "-bios",
              os.path.join(GUESTS_BUILD, "ppc64", "boot_rom.bin")],
    # MACHINE=powernv: skiboot from QEMU's data directory is the firmware.
    "ppc64-powernv": ["qemu-system-ppc64", "-machine", "powernv"],
    "s390x": ["qemu-system-s390x", "-machine", "s390-ccw-virtio"],
}


def opensbi(name):
    """Debian's OpenSBI build NAME (fw_dynamic.bin, fw_jump.elf) for QEMU virt: the
    opensbi package's, or where Debian 11 has it, QEMU's own copy."""
    candidates = [os.path.join("/usr/lib/riscv64-linux-gnu/opensbi/generic", name),
                  os.path.join("/usr/share/qemu", "opensbi-riscv64-generic-" + name)]
    found = [path for path in candidates if os.path.isfile(path)]
    assert found, "no OpenSBI %s: looked for %s" % (name, " and ".join(candidates))
    return found[0]


def require(program):
    path = shutil.which(program)
    assert path, "%s is not installed; the end-to-end tests need it" % program
    return path


# The port the next QEMU's gdb stub gets (kut-load's own helper).
free_port = loopback.free_port


class Qemu:
    """A paused QEMU; use as a context manager so it never outlives the test."""

    def __init__(self, arch, kernel, extra=(), paused=True, cwd=None):
        """kernel: the -kernel file, or None for a firmware that boots from a disk."""
        command = QEMU_COMMANDS[arch]
        require(command[0])
        self.arch = arch
        self.workdir = tempfile.mkdtemp(prefix="kut-qemu-")
        self.console = os.path.join(self.workdir, "console.log")
        # kernel None: the image comes some other way (-device loader).
        self.argv = (command + ["-display", "none", "-monitor", "none",
                                "-serial", "file:" + self.console]
                     + (["-kernel", kernel] if kernel else []) + list(extra)
                     + (["-S"] if paused else []))
        self.cwd = cwd
        self.process = None
        self.port = None

    def __enter__(self):
        for _ in range(5):  # another process may take the port between probe and bind
            self.port = free_port()
            self.process = subprocess.Popen(
                self.argv + ["-gdb", "tcp:127.0.0.1:%d" % self.port], cwd=self.cwd,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if self._wait_listening():
                listening(self.port, self.arch)
                return self
            self.stop()
        raise AssertionError("QEMU did not start: %s" % " ".join(self.argv))

    def _wait_listening(self):
        # Asked of /proc, not by connecting: a gdb client that connects stops a running guest.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if loopback.listens(self.process.pid, self.port):
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def console_text(self):
        with open(self.console, errors="replace") as console:
            return console.read()


# The architecture of the QEMU listening on each port, for gdb_workarounds().
_ARCH_OF_PORT = {}


def gdb_major():
    """gdb-multiarch's major version."""
    if not hasattr(gdb_major, "value"):
        first = subprocess.run([require("gdb-multiarch"), "--version"], stdout=subprocess.PIPE,
                               text=True, check=True).stdout.splitlines()[0]
        gdb_major.value = int(first.split()[-1].split(".")[0])
    return gdb_major.value


def gdb_workarounds(port):
    """What a user of this gdb types before connecting to the QEMU on port, as
    docs/installing.md says: gdb 10.1 rejects the register description of
    QEMU 5.2's riscv, and reads its registers only once told the architecture."""
    riscv = {"riscv64": "riscv:rv64", "riscv32": "riscv:rv32"}.get(_ARCH_OF_PORT.get(port))
    if riscv and gdb_major() < 11:
        return ["-ex", "set architecture " + riscv]
    return []


def listening(port, arch):
    """A QEMU of arch (a QEMU_COMMANDS key) listens on port, for gdb_workarounds()."""
    _ARCH_OF_PORT[port] = arch


def same_qemu(port, other_port):
    """gdb on other_port reaches the QEMU on port (a relay)."""
    if port in _ARCH_OF_PORT:
        _ARCH_OF_PORT[other_port] = _ARCH_OF_PORT[port]


def run_gdb(port, commands, gdbinit=GDBINIT, cwd=None, timeout=120, connect=True, prefix=()):
    """Runs gdb-multiarch in batch mode (behind prefix, e.g. a user switch);
    returns everything it printed."""
    argv = list(prefix) + [require("gdb-multiarch"), "-nx", "-batch"]
    if gdbinit:
        argv += ["-x", gdbinit]
    argv += gdb_workarounds(port)
    if connect:
        argv += ["-ex", "target remote 127.0.0.1:%d" % port]
    for command in commands:
        argv += ["-ex", command]
    # One stream, so errors stay in order with what the commands printed.
    result = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return result.stdout


def run_mi(commands, timeout=120):
    """gdb --interpreter=mi2 with the project's gdbinit, fed commands; all it printed."""
    script = "".join(command + "\n" for command in commands + ["-gdb-exit"])
    return subprocess.run([require("gdb-multiarch"), "--interpreter=mi2", "-nx", "-x", GDBINIT],
                          input=script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          encoding="utf-8", errors="replace", timeout=timeout).stdout
