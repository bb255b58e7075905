"""Shared paths for both test layers: the checkout, its build, the guests."""

import os
import re
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("KUT_BUILD_DIR", os.path.join(REPO, "build"))
GUESTS_SRC = os.path.join(REPO, "tests", "guests")
GUESTS_BUILD = os.path.join(BUILD, "tests", "guests")

# The tiers' shared helpers are imported by name (gdb_stub, session, upstream);
# their test folders hold no __init__.py, so python/'s kut_load and kut_debug
# always win over the test folders named after them.
TIERS = [os.path.join(REPO, "tests", tier) for tier in ("unit", "e2e", "upstream")]
sys.path[:0] = [os.path.join(REPO, "tests"), os.path.join(REPO, "python")] + TIERS


@pytest.fixture(scope="session")
def native():
    """The built native module; the suite fails, not skips, without it."""
    from kut_load import native as loader
    return loader.load()


def guest_file(arch, name):
    path = os.path.join(GUESTS_BUILD, arch, name)
    assert os.path.isfile(path), "%s is missing: build the project first" % path
    return path


# KUT_ARCHES=arm64,x86_64 runs the tests of those architectures and every test
# of none: a test's architecture is its `arch` or `config` parameter (an
# upstream configuration such as arm64-efi or ppc64le), else the one its
# function's name or its file's name names (test_ppc64_powernv_..., test_arm64.py),
# unless the file sets ARCHITECTURE = None: a module's name that names one
# (arm_boot_loader) while its tests are of others too.
ARCH_FAMILIES = ("arm64", "arm", "riscv64", "x86_64", "i386", "ppc64", "s390x")


def architecture_of(item):
    """The architecture family item tests, or None for a test of no one."""
    params = getattr(item, "callspec", None)
    names = [params.params.get(key) for key in ("arch", "config")] if params else []
    names.append(getattr(item, "originalname", None) or item.name)
    file_name = os.path.splitext(os.path.basename(str(item.fspath)))[0]
    names.append(getattr(getattr(item, "module", None), "ARCHITECTURE", file_name))
    for name in names:
        if not isinstance(name, str):
            continue
        for family in ARCH_FAMILIES:
            if re.search(r"(^|[_-])%s($|[_-]|le$|be$)" % family, name):
                return family
    return None


def pytest_collection_modifyitems(config, items):
    wanted = os.environ.get("KUT_ARCHES")
    if not wanted:
        return
    families = set(wanted.replace(",", " ").split())
    unknown = families - set(ARCH_FAMILIES)
    if unknown:
        raise pytest.UsageError("KUT_ARCHES: unknown %s; the architectures are %s"
                                % (", ".join(sorted(unknown)), ", ".join(ARCH_FAMILIES)))
    kept, dropped = [], []
    for item in items:
        family = architecture_of(item)
        (dropped if family and family not in families else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
