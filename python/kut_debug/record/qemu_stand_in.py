"""The QEMU a run script starts when kut-debug records a test (QEMU=...):
the run script's probes go to the real QEMU unchanged; the test's own run
(the command with -kernel) is checked, rewritten to record, and its argv
kept in the recording before it starts."""

import os
import sys

from kut_load.qemu import options as qemu_options

from kut_debug.record import qemu_argv, recording


def is_test_run(argv):
    return qemu_options.kernel_argument(argv) is not None


def main(args):
    real_qemu = os.environ[recording.ENV_QEMU]
    argv = [real_qemu] + args
    if not is_test_run(argv):
        os.execv(real_qemu, argv)
    target = recording.Recording(os.environ[recording.ENV_DIRECTORY])
    reason = qemu_argv.refusal(argv)
    if reason:
        with open(target.refusal_file, "w") as refused:
            refused.write(reason + "\n")
        return 1
    recorded = recording.recorded_argv(argv, target)
    target.save_metadata(argv=recorded)
    os.execv(real_qemu, recorded)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
