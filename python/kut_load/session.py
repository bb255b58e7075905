"""What every command inside gdb asks of the session: the symbol files
loaded, whether the guest runs under KVM, a frame's level, and the
functions a code address runs in."""

import re

import gdb

# QEMU's `info kvm` (HMP): "kvm support: enabled" when the guest runs under KVM.
KVM_ENABLED = re.compile(r"^kvm support: enabled\b", re.M)


def symbol_files():
    """The valid objfiles the user or kut-load read, without separate debug files."""
    return [objfile for objfile in gdb.objfiles()
            if objfile.is_valid() and objfile.filename and objfile.owner is None]


def under_kvm():
    """Whether the guest runs under KVM, from QEMU's monitor (`info kvm`); False
    under TCG and for a stub without QEMU's monitor."""
    try:
        text = gdb.execute("monitor info kvm", to_string=True)
    except gdb.error:
        return False
    return bool(KVM_ENABLED.search(text or ""))


def frame_level(frame):
    """How many frames frame is above the newest: Frame.level() from gdb 11
    on, counted through newer() on gdb 10."""
    if hasattr(frame, "level"):
        return frame.level()
    level = 0
    newer = frame.newer()
    while newer is not None:
        level += 1
        newer = newer.newer()
    return level


def function_blocks(pc):
    """The blocks of the functions pc runs in, innermost first: those of
    functions inlined there, then the function of pc's own frame; [] without
    DWARF for pc."""
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        return []
    found = []
    while block is not None and not block.is_static and not block.is_global:
        if block.function is not None:
            found.append(block)
        block = block.superblock
    return found
