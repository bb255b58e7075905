"""Assembles snippets with the Debian cross binutils, so decoder tests state
boot code as instructions, and the encodings come from a real assembler."""

import os
import shutil
import subprocess
import tempfile

# arch -> (binutils prefix, assembler flags, linker flags)
TOOLS = {
    "aarch64": ("aarch64-linux-gnu-", [], []),
    "arm": ("arm-linux-gnueabihf-", ["-march=armv7-a"], []),
    "riscv64": ("riscv64-linux-gnu-", ["-march=rv64gc"], []),
    "riscv32": ("riscv64-linux-gnu-", ["-march=rv32gc", "-mabi=ilp32"], ["-m", "elf32lriscv"]),
}


def assemble(arch, source, base=0x40000000):
    """The raw bytes of source's .text, assembled for arch and linked at base,
    so that pc-relative references come out as they would in the guest."""
    prefix, as_flags, ld_flags = TOOLS[arch]
    assert shutil.which(prefix + "as"), "%sas is not installed" % prefix
    with tempfile.TemporaryDirectory() as work:
        src, obj, elf, raw = (os.path.join(work, name)
                              for name in ("a.s", "a.o", "a.elf", "a.bin"))
        with open(src, "w") as out:
            out.write(".text\n.globl _start\n_start:\n" + source + "\n")
        subprocess.run([prefix + "as"] + as_flags + ["-o", obj, src], check=True)
        subprocess.run([prefix + "ld"] + ld_flags + ["-Ttext=%#x" % base, "-o", elf, obj],
                       check=True)
        subprocess.run([prefix + "objcopy", "-O", "binary", "-j", ".text", elf, raw],
                       check=True)
        with open(raw, "rb") as data:
            return data.read()
