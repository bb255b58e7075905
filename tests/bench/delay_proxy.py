"""A loopback TCP proxy that delays every byte by a fixed time each way, to
time gdb against QEMU as if QEMU ran across a network link.

Bounded: it listens on 127.0.0.1 only, forwards to 127.0.0.1 only, takes one
connection, and stops by itself when either side closes, when the `with`
block ends, or after `lifetime` seconds, whichever comes first.
"""

import queue
import socket
import threading
import time

CHUNK = 65536
POLL = 0.2  # how often blocked threads look at the stop flag, in seconds


class DelayLink:
    """with DelayLink(qemu_port, one_way=0.020) as port: connect gdb to port.

    one_way: seconds added to each direction, so a request and its answer
    take 2 * one_way more (a round trip of 40 ms for 0.020)."""

    def __init__(self, target_port, one_way=0.020, lifetime=120.0):
        self.target_port = target_port
        self.one_way = one_way
        self.deadline = time.monotonic() + lifetime
        self.stopping = threading.Event()
        self.listener = None
        self.sockets = []
        self.threads = []

    def __enter__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(POLL)
        self._start(self._accept_one)
        return self.listener.getsockname()[1]

    def __exit__(self, *exc):
        self.stopping.set()
        for sock in [self.listener] + self.sockets:
            try:
                sock.close()
            except OSError:
                pass
        for thread in self.threads:
            thread.join(timeout=2 * POLL + self.one_way)

    def _start(self, function, *args):
        thread = threading.Thread(target=function, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _running(self):
        return not self.stopping.is_set() and time.monotonic() < self.deadline

    def _accept_one(self):
        while self._running():
            try:
                client, _ = self.listener.accept()
                break
            except socket.timeout:
                continue
            except OSError:
                return
        else:
            return
        self.listener.close()  # one connection only
        server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(POLL)
            self.sockets.append(sock)
        for source, sink in ((client, server), (server, client)):
            pending = queue.Queue()
            self._start(self._receive, source, pending)
            self._start(self._deliver, pending, sink)

    def _receive(self, source, pending):
        """Stamps each chunk with when it may go on; None marks the end."""
        while self._running():
            try:
                data = source.recv(CHUNK)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            pending.put((time.monotonic() + self.one_way, data))
        pending.put(None)

    def _deliver(self, pending, sink):
        while self._running():
            try:
                item = pending.get(timeout=POLL)
            except queue.Empty:
                continue
            if item is None:
                break
            due, data = item
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                sink.sendall(data)
            except OSError:
                break
        self.stopping.set()  # either side gone: the link goes down
