"""A kvm-unit-tests tree for kut-debug's end-to-end tests: tests/e2e/kvm_tree
(scripts that behave as upstream's) copied, configured and given the env
sample guest, and its run_tests.sh run as a user runs it."""

import os
import shutil
import subprocess

from conftest import REPO, guest_file
from session import require

TREE_SRC = os.path.join(REPO, "tests", "e2e", "kvm_tree")
CONFIG = """\
ARCH=arm64
ARCH_NAME=aarch64
PROCESSOR=max
HOST=x86_64
TEST_DIR=arm
ENVIRON_DEFAULT=yes
ERRATATXT=errata.txt
CONFIG_EFI={efi}
"""


def make_tree(path, efi="n"):
    require("qemu-system-aarch64")
    require("gdb-multiarch")
    shutil.copytree(TREE_SRC, str(path), symlinks=True)
    (path / "config.mak").write_text(CONFIG.format(efi=efi))
    for name in ("env.flat", "env.elf"):
        os.symlink(guest_file("arm64", name), str(path / "arm" / name))
    return path


def run_tests(tree, *names, env=None):
    """The tree's run_tests.sh, as a user runs it; returns what it printed."""
    result = subprocess.run(["./run_tests.sh", "-v"] + list(names), cwd=str(tree), env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
