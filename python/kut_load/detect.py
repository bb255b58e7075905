"""Picks the boot-code finder for the target's architecture."""

from . import boot_aarch64
from .boot import DetectionError

FINDERS = {
    "aarch64": boot_aarch64.find,
}


def find_load_address(arch, target, native):
    """LoadAddress of the test image; DetectionError when it cannot be told."""
    finder = FINDERS.get(arch)
    if finder is None:
        raise DetectionError("kut-load does not know how QEMU boots %s; "
                             "give the address with --address" % arch)
    return finder(target, native)
