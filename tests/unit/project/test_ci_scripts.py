"""CI's scripts can run: every .ci/ script that .ci/run calls by path is
executable, as a fresh clone of the repository makes it (git's file mode)."""

import os
import re

import pytest

from conftest import REPO

CI = os.path.join(REPO, ".ci")


def called_scripts():
    with open(os.path.join(CI, "run")) as run:
        return sorted(set(re.findall(r"\.ci/([\w-]+)", run.read())))


@pytest.mark.parametrize("script", called_scripts())
def test_each_script_ci_calls_is_executable(script):
    path = os.path.join(CI, script)
    assert os.path.isfile(path) and os.access(path, os.X_OK), path
