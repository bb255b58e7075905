"""Shared paths for both test layers: the checkout, its build, the guests."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("KUT_BUILD_DIR", os.path.join(REPO, "build"))
GUESTS_SRC = os.path.join(REPO, "tests", "guests")
GUESTS_BUILD = os.path.join(BUILD, "tests", "guests")

sys.path.insert(0, os.path.join(REPO, "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def native():
    """The built native module; the suite fails, not skips, without it."""
    from kut_load import native as loader
    return loader.load()


def guest_file(arch, name):
    path = os.path.join(GUESTS_BUILD, arch, name)
    assert os.path.isfile(path), "%s is missing: build the project first" % path
    return path
