"""A recording on disk (logs/T.rr/): QEMU's replay log, the qcow2 disk that
holds the snapshot the replay starts from, a copy of the run's -initrd
environment, the recorded run's console, and recording.json with the exact
QEMU argv that recorded it, the test's ELF and its log."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

from kut_load.break_fail import log as fail_log
from kut_load.qemu import linux_proc

import kut_debug
from kut_debug.processes import paused_command
from kut_debug.processes.paused_command import split_qemu_opts
from kut_debug.record import qemu_argv
from kut_debug.errors import DebugError

SUFFIX = ".rr"
# A recording that has not ended by then is a guest that never powers off.
RECORD_TIMEOUT = 300
# How long the recording's QEMU has to end its recording after SIGTERM.
TERM_GRACE = 10
# run_tests.sh's "timeout -k 1s --foreground 45s qemu-system-..." and QEMU's
# "qemu-system-x86_64: terminating on signal 15 from pid 26285 (timeout)".
LOGGED_TIMEOUT = re.compile(r"^timeout\b.*?\s(\d+(?:\.\d+)?)([smhd]?)\s+\S*qemu-system-",
                            re.M)
TIMED_OUT = re.compile(r"terminating on signal 15 from pid \d+ \(timeout\)")
TIME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Environment of the QEMU wrapper a run script runs (QEMU=...).
ENV_DIRECTORY = "KUT_DEBUG_RR_DIRECTORY"
ENV_QEMU = "KUT_DEBUG_RR_QEMU"


class Recording:
    def __init__(self, directory):
        self.directory = directory

    def path(self, name):
        return os.path.join(self.directory, name)

    @property
    def log_file(self):
        return self.path("replay.bin")

    @property
    def snapshot_disk(self):
        return self.path("snapshot.qcow2")

    @property
    def record_console(self):
        return self.path("record.console")

    @property
    def replay_console(self):
        return self.path("replay.console")

    @property
    def initrd(self):
        return self.path("initrd")

    @property
    def metadata_file(self):
        return self.path("recording.json")

    @property
    def refusal_file(self):
        return self.path("refused")

    def metadata(self):
        try:
            with open(self.metadata_file) as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise DebugError("%s holds no recording; make one with kut-debug --record"
                             % self.directory) from None
        except (OSError, ValueError) as error:
            raise DebugError("cannot read %s (%s); make the recording again with kut-debug "
                             "--record" % (self.metadata_file, error)) from None
        if not isinstance(data.get("argv"), list) or not os.path.isfile(self.log_file):
            raise DebugError("%s is not a complete recording; make it again with kut-debug "
                             "--record" % self.directory)
        # A recording moved or copied (run_tests.sh moves logs/ to logs.old/) replays its own files.
        recorded = recorded_directory(data["argv"])
        here = os.path.abspath(self.directory)
        if recorded and recorded != here:
            data["argv"] = [relocated(word, recorded, here) for word in data["argv"]]
        return data

    def save_metadata(self, **fields):
        data = {}
        if os.path.isfile(self.metadata_file):
            with open(self.metadata_file) as handle:
                data = json.load(handle)
        data.update(fields)
        with open(self.metadata_file + ".new", "w") as handle:
            json.dump(data, handle, indent=1)
        os.replace(self.metadata_file + ".new", self.metadata_file)


def recorded_directory(argv):
    """The directory a recording was made in: that of the rrfile= of its -icount."""
    for word in argv:
        for part in split_qemu_opts(word):
            if part.startswith("rrfile="):
                return os.path.dirname(part[len("rrfile="):])
    return None


def relocated(word, old, new):
    """word with the paths under directory old put under new, QEMU's doubled commas too."""
    for before, after in ((old, new), (old.replace(",", ",,"), new.replace(",", ",,"))):
        word = word.replace(before + "/", after + "/")
    return word


def directory_for(name):
    """logs/T.rr beside logs/T.log (T.rr in the current directory without logs/)."""
    base = name + SUFFIX
    return os.path.join("logs", base) if os.path.isdir("logs") else base


def fresh(directory, qemu_img="qemu-img"):
    """An empty recording directory with its snapshot disk."""
    program = shutil.which(qemu_img)
    if not program:
        raise DebugError("qemu-img is not installed (Debian: apt install qemu-utils); "
                         "recording needs it for the disk that holds the start snapshot")
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    recording = Recording(directory)
    made = subprocess.run([program, "create", "-q", "-f", "qcow2", recording.snapshot_disk,
                           "64M"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if made.returncode != 0:
        raise DebugError("qemu-img could not create %s: %s"
                         % (recording.snapshot_disk, " ".join(made.stdout.split())))
    return recording


def recorded_argv(argv, recording):
    """The argv that records argv's run into recording, with the -initrd file
    copied into it (the run script deletes its own) and the console in a file."""
    initrd = qemu_argv.initrd_of(argv)
    if initrd is not None and os.path.isfile(initrd):
        shutil.copyfile(initrd, recording.initrd)
        argv = qemu_argv.with_initrd(argv, os.path.abspath(recording.initrd))
    argv = paused_command.for_gdb(argv, os.path.abspath(recording.record_console))
    return qemu_argv.record_argv(argv, os.path.abspath(recording.log_file),
                                 os.path.abspath(recording.snapshot_disk))


def run_recording(argv, recording, environ=None, timeout=RECORD_TIMEOUT, what="QEMU",
                  logged_timeout=None):
    """Runs the recording to its end in a process group of its own; its
    output is appended to the record console. Returns the wall time. With
    logged_timeout (seconds: run_tests.sh's timeout ended the logged run),
    the recording is ended the same way then (SIGTERM, which QEMU ends its
    recording on), and kept."""
    limit = logged_timeout or timeout
    with open(recording.record_console, "a") as console:
        started = time.monotonic()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=console,
                                   stderr=subprocess.STDOUT, env=environ,
                                   start_new_session=True)
        try:
            process.wait(limit)
            # A run script may end before its QEMU has written the recording's end.
            wait_group_gone(process.pid, TERM_GRACE)
        except subprocess.TimeoutExpired:
            if logged_timeout:
                os.killpg(process.pid, signal.SIGTERM)
                wait_group_gone(process.pid, TERM_GRACE)
                process.wait()
            else:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise DebugError("the recording did not end within %d s (a guest that never "
                                 "powers off is not recordable); its console is %s"
                                 % (timeout, recording.record_console)) from None
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        elapsed = time.monotonic() - started
    if os.path.isfile(recording.refusal_file):
        with open(recording.refusal_file) as refused:
            raise DebugError(refused.read().strip())
    if not os.path.isfile(recording.metadata_file) or not os.path.isfile(recording.log_file):
        raise DebugError("%s exited (status %d) without recording the test; its output is "
                         "in %s" % (what, process.returncode, recording.record_console))
    return elapsed


def wait_group_gone(pgid, limit):
    """Waits until no process of group pgid runs (QEMU writes its replay
    log's header last), SIGKILL after limit seconds."""
    deadline = time.monotonic() + limit
    while linux_proc.process_group_members(pgid, live=True):
        if time.monotonic() > deadline:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return
        time.sleep(0.02)


def logged_timeout(log):
    """Seconds after which run_tests.sh's timeout ended the logged run (its
    QEMU says "terminating on signal 15 ... (timeout)"), from the log's
    `timeout ... 45s` command; None where the run ended by itself."""
    if log is None or not os.path.isfile(log):
        return None
    with open(log, errors="replace") as logged:
        text = logged.read()
    command = LOGGED_TIMEOUT.search(text)
    if not command or not TIMED_OUT.search(text):
        return None
    return float(command.group(1)) * TIME_UNITS[command.group(2) or "s"]


def wrapper_environment(recording, real_qemu):
    """The environment that makes a run script's QEMU=... the recording wrapper."""
    # The directory holding kut_debug and kut_load, for the wrapper's python -m.
    here = os.path.dirname(os.path.dirname(os.path.abspath(kut_debug.__file__)))
    environ = dict(os.environ)
    environ["PYTHONPATH"] = here + (os.pathsep + environ["PYTHONPATH"]
                                    if environ.get("PYTHONPATH") else "")
    environ[ENV_DIRECTORY] = os.path.abspath(recording.directory)
    environ[ENV_QEMU] = real_qemu
    return environ


def write_wrapper(recording):
    """An executable that runs the wrapper with this Python (QEMU names one program)."""
    path = recording.path("qemu")
    with open(path, "w") as script:
        script.write("#!/bin/sh\nexec %s -m kut_debug.record.qemu_stand_in \"$@\"\n"
                     % shlex.quote(sys.executable))
    os.chmod(path, 0o755)
    return path


def fail_line_note(log, recording):
    """The line saying the recorded run failed otherwise than the log, or None."""
    if log is None or not os.path.isfile(recording.record_console):
        return None
    logged = [line.text for line in fail_log.read_fail_lines(log)]
    recorded = [line.text for line in fail_log.read_fail_lines(recording.record_console)]
    difference = qemu_argv.fail_line_difference(logged, recorded)
    if difference is None:
        return None
    return ("the recorded run is not the logged one: %s; the replay stops at the recorded "
            "run's failures" % difference)
