"""A log of a run that did not end on its own: kut-debug --fail says how the
logged run ended, from QEMU's own lines in the log, and never that the test
passed. The log is the real run_tests.sh's, with a TIMEOUT shorter than the
test takes."""

import os
import re
import subprocess
import threading

import run_logs
import upstream
from upstream import KUT_DEBUG


def test_a_timed_out_run_is_said_to_have_timed_out(tmp_path):
    tree = upstream.tree("x86_64")
    log_dir = os.path.relpath(str(tmp_path / "logs"), tree)
    env = dict(run_logs.environment("x86_64", "tcg"), TIMEOUT="2s", unittest_log_dir=log_dir)
    summary = subprocess.run(["./run_tests.sh", "-v", "sieve"], cwd=tree, env=env,
                             capture_output=True, text=True).stdout
    # run_tests.sh's own verdict, on its stdout: the oracle for what the log records.
    assert re.search(r"FAIL\S* sieve \(timeout; duration=2s\)", summary), summary
    log = os.path.join(tree, log_dir, "sieve.log")
    with open(log) as text:
        signalled = [number for number, line in enumerate(text.read().splitlines(), 1)
                     if "terminating on signal 15" in line and "(timeout)" in line]
    assert len(signalled) == 1, open(log).read()
    said = ("kut-break-fail: %s has no FAIL line: run_tests.sh's timeout (2s) ended QEMU at log "
            "line %d, before the test's end; this run goes on until it reaches one of the stops "
            "above or ends, or you interrupt it (Ctrl-C)" % (log, signalled[0]))
    out = kut_debug_until(tree, ["--batch", "--fail", log], env, said)
    assert said in out and "passed when it was logged" not in out, out


def kut_debug_until(tree, args, env, wanted, seconds=120):
    """kut-debug's output up to the line `wanted`, then kut-debug is ended
    (SIGTERM, which ends its gdb and QEMU): the guest need not run to its end."""
    process = subprocess.Popen(["nice", KUT_DEBUG, "--nx"] + args, cwd=tree, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    timer = threading.Timer(seconds, process.terminate)
    timer.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.rstrip("\n") == wanted:
                break
    finally:
        timer.cancel()
        process.terminate()
        process.wait(30)
    return "".join(lines)
