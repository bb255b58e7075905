"""Architecture names: gdb's, the ELF reader's, and what kut-load calls them."""

# gdb's architecture name -> kut-load's; checked by prefix, longest first.
_GDB_NAMES = [
    ("aarch64", "aarch64"),
    ("riscv:rv64", "riscv64"),
    ("riscv:rv32", "riscv32"),
    ("i386:x86-64", "x86-64"),
    ("i386", "i386"),
    ("iwmmxt", "arm"),
    ("xscale", "arm"),
    ("arm", "arm"),
]


def from_gdb(gdb_name):
    """kut-load's name for a gdb architecture name, or the gdb name itself."""
    for prefix, name in _GDB_NAMES:
        if gdb_name.startswith(prefix):
            return name
    return gdb_name


def matches(target_arch, elf_arch):
    """Whether an ELF built for elf_arch can describe code on target_arch.

    x86 test images are 64-bit ELFs even though the multiboot loader took the
    32-bit copy, and gdb on QEMU x86_64 may still say i386 before long mode.
    """
    if target_arch == elf_arch:
        return True
    return {target_arch, elf_arch} == {"i386", "x86-64"}
