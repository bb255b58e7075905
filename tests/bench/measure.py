"""Repeated timings and their summary (median, min, max), and one measured child process."""

import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    samples: tuple

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def low(self):
        return min(self.samples)

    @property
    def high(self):
        return max(self.samples)


def summarize(samples):
    return Summary(tuple(samples))


@dataclass(frozen=True)
class ProcessRun:
    seconds: float       # wall time from spawn to reaped
    cpu_seconds: float   # user + system time: less disturbed by other load than wall time
    peak_kib: int        # the child's own peak resident set (ru_maxrss)
    output: str          # stdout and stderr together
    status: int


# As a user's shell has it: Python may keep compiled modules (the warm-up run
# writes them), which a sandbox's PYTHONDONTWRITEBYTECODE would forbid.
USER_ENVIRONMENT = {name: value for name, value in os.environ.items()
                    if name != "PYTHONDONTWRITEBYTECODE"}


def run_process(argv, cwd=None, timeout=300, env=None):
    """Runs argv to completion and measures that one child, not its siblings;
    env: the environment, USER_ENVIRONMENT unless given."""
    with tempfile.TemporaryFile(mode="w+") as output:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                 env=USER_ENVIRONMENT if env is None else env,
                                 stdout=output, stderr=subprocess.STDOUT)
        watchdog = threading.Timer(timeout, child.kill)
        watchdog.start()
        try:
            # wait4 gives this child's rusage; RUSAGE_CHILDREN would mix in earlier ones.
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            watchdog.cancel()
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return ProcessRun(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                          output.read(), child.returncode)


def interleaved(variants, repeat, warmup=1):
    """Calls each variant in turn, repeat times, so that load drift hits all alike.

    variants maps a name to a function returning one sample (or a tuple of
    samples); the result maps each name to the list of what it returned.
    """
    for _ in range(warmup):
        for measure in variants.values():
            measure()
    results = {name: [] for name in variants}
    for _ in range(repeat):
        for name, measure in variants.items():
            results[name].append(measure())
    return results
