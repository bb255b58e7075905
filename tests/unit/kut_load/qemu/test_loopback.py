"""kut-debug telling its own QEMU's listening port from someone else's."""

import os
import socket
import subprocess
import sys

from kut_load.qemu import loopback


def test_a_process_listening_is_seen_and_others_are_not():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        assert not loopback.listens(os.getpid(), port)  # bound, not listening yet
        listener.listen()
        assert loopback.listens(os.getpid(), port)
        # Another process does not own this process's listening socket.
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                                   close_fds=True)
        try:
            assert not loopback.listens(sleeper.pid, port)
        finally:
            sleeper.kill()
            sleeper.wait()


def test_free_port_is_bindable():
    port = loopback.free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
