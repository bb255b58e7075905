"""The upstream tier's entry points: real kvm-unit-tests trees and their logs.

Without a source the tier skips with one line saying what to set; with
KUT_REQUIRE_UPSTREAM=1 (as CI runs it) it fails instead.
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
KUT_DEBUG = os.path.join(os.path.dirname(os.path.dirname(HERE)), "python", "kut-debug")
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import run_logs  # noqa: E402
import trees  # noqa: E402


def tree(config):
    """The built tree of configuration `config` (trees.CONFIGURATIONS)."""
    try:
        return trees.tree(config)
    except trees.Unbuildable as error:
        pytest.skip(str(error))  # a fact of this machine's compiler, not of kut-load
    except LookupError as error:
        if os.environ.get("KUT_REQUIRE_UPSTREAM") == "1":
            pytest.fail(str(error))
        pytest.skip(str(error))


def logs(config, tests, accel="tcg"):
    """{test: path of its run_tests.sh -v log} for tests of configuration `config`."""
    return run_logs.run_logs(tree(config), config, tests, accel)
