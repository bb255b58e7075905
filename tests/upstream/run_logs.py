"""Real logs of upstream tests: run_tests.sh -v run in a built tree.

Each set of tests writes its own log directory (run_tests.sh's
unittest_log_dir), kept beside the tree and reused while it is complete.
"""

import hashlib
import os
import socket
import subprocess
import time

from trees import CONFIGURATIONS, TCG_ENVIRONMENT


def qemu_version(qemu):
    """(major, minor) of a qemu-system-* program, from its --version line."""
    first = subprocess.run([qemu, "--version"], capture_output=True, text=True,
                           check=True).stdout.split("\n")[0]
    numbers = first.split("version ")[1].split()[0].split(".")
    return int(numbers[0]), int(numbers[1])


def environment(config, accel="tcg"):
    """os.environ plus what run_tests.sh needs to run `config` under `accel` here."""
    env = dict(os.environ)
    env.update(TCG_ENVIRONMENT if accel == "tcg" else {})
    env["ACCEL"] = accel
    env["QEMU"] = CONFIGURATIONS[config][1]
    if config.startswith("riscv") and qemu_version(env["QEMU"]) < (8, 0):
        # riscv/run asks for -cpu max, which QEMU 7.2's riscv has not.
        env["TARGET_CPU_OVERRIDE"] = "rv64"
    return env


def run_logs(tree, config, tests, accel="tcg", timeout=None, jobs=1):
    """The log directory of `tests` run by run_tests.sh -v in `tree`: {test: log path}."""
    key = hashlib.sha256((accel + ":" + " ".join(sorted(tests))).encode()).hexdigest()[:12]
    log_dir = "logs-kut-" + key
    done = os.path.join(tree, log_dir, ".kut-complete")
    if not os.path.exists(done):
        env = environment(config, accel)
        env["unittest_log_dir"] = log_dir
        if timeout:
            env["TIMEOUT"] = timeout
        subprocess.run(["./run_tests.sh", "-v", "-j%d" % jobs] + sorted(tests), cwd=tree, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open(done, "w").close()
    return {test: os.path.join(tree, log_dir, test + ".log") for test in tests}


def wait_listening(process, port, seconds=30):
    """Whether something listens on loopback `port` before `process` exits
    or `seconds` pass. A connection to a paused QEMU's stub changes nothing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False
