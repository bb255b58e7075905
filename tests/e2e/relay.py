"""A TCP relay in a process of its own, between gdb and QEMU: gdb then talks
to a process that is not QEMU, as it does with a QEMU on another machine, so
nothing can be learnt from QEMU's command line or working directory."""

import subprocess
import sys

from session import same_qemu

RELAY = r"""
import select, socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
client, _ = server.accept()
qemu = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
ends = {client: qemu, qemu: client}
while True:
    for end in select.select(list(ends), [], [])[0]:
        data = end.recv(65536)
        if not data:
            sys.exit(0)
        ends[end].sendall(data)
"""


class Relay:
    """Use as a context manager; port is where gdb connects."""

    def __init__(self, qemu_port):
        self.process = subprocess.Popen([sys.executable, "-c", RELAY, str(qemu_port)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        text=True)
        self.port = int(self.process.stdout.readline())
        same_qemu(qemu_port, self.port)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()
