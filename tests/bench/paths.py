"""Where the benchmarks find the checkout, its builds and the tools they time."""

import os
import shutil
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(BENCH_DIR))
BUILD = os.environ.get("KUT_BUILD_DIR", os.path.join(REPO, "build"))
SHARED_BUILD = os.path.join(REPO, "build-shared")
# Generated inputs live in the (ignored) build tree, never in the source tree.
WORK = os.path.join(BUILD, "bench")
# KUT_BENCH_GDBINIT: another kut-load's gdbinit (an older checkout, an install) to measure.
GDBINIT = os.environ.get("KUT_BENCH_GDBINIT", os.path.join(REPO, "gdbinit"))
# KUT_BENCH_AGAINST: a second kut-load's gdbinit, interleaved with the first in the same run.
AGAINST_GDBINIT = os.environ.get("KUT_BENCH_AGAINST")
GUESTS_SRC = os.path.join(REPO, "tests", "guests")
SAMPLE_ELF = os.path.join(BUILD, "tests", "guests", "arm64", "sample.elf")
SAMPLE_FLAT = os.path.join(BUILD, "tests", "guests", "arm64", "sample.flat")
# QEMU virt puts the arm64 image at RAM base + 0x80000.
ARM64_LOAD_ADDRESS = 0x40080000
# gdb embeds Debian's Python, which is also the one with pyelftools.
SYSTEM_PYTHON = "/usr/bin/python3"

# The end-to-end helpers already start a paused QEMU on a free port.
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "python"))


def program(name):
    path = shutil.which(name)
    if not path:
        raise SystemExit("%s is not installed; the benchmarks need it" % name)
    return path


def require_file(path, hint="build the project first"):
    if not os.path.isfile(path):
        raise SystemExit("%s is missing: %s" % (path, hint))
    return path
