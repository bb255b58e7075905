"""Builds an ELF with tens of thousands of sections, fast: one assembly file
with a section per function and per object, linked with --unique so that
every input section stays its own output section, at its own address."""

import os
import subprocess
import sys

from binutils import quiet_rwx
from paths import WORK, program

FUNCTIONS = 10000  # one .text.* and one .data.* section each

OUT_DIR = os.path.join(WORK, "many-sections")
ELF = os.path.join(OUT_DIR, "many.elf")


def assembly():
    lines = ['\t.section .text._start, "ax"', "\t.globl _start", "_start:", "\tret"]
    for number in range(FUNCTIONS):
        lines += ['\t.section .text.function_%d, "ax"' % number,
                  "\t.globl function_%d" % number,
                  "function_%d:" % number,
                  "\tadd x0, x0, #%d" % (number % 4096),
                  "\tret",
                  '\t.section .data.object_%d, "aw"' % number,
                  "\t.globl object_%d" % number,
                  "object_%d:" % number,
                  "\t.quad %d" % number]
    return "\n".join(lines) + "\n"


def build():
    """Returns the ELF's path, generating it unless it is newer than this script."""
    if os.path.isfile(ELF) and os.path.getmtime(ELF) > os.path.getmtime(
            os.path.abspath(__file__)):
        return ELF
    os.makedirs(OUT_DIR, exist_ok=True)
    source = os.path.join(OUT_DIR, "many.s")
    script = os.path.join(OUT_DIR, "orphans.lds")
    obj = os.path.join(OUT_DIR, "many.o")
    with open(source, "w") as out:
        out.write(assembly())
    # No output section rules: every input section is an orphan, and --unique
    # keeps each orphan apart instead of merging them by name.
    with open(script, "w") as out:
        out.write("SECTIONS { . = 0x40000000; }\n")
    subprocess.run([program("aarch64-linux-gnu-as"), source, "-o", obj], check=True)
    linker = program("aarch64-linux-gnu-ld")
    subprocess.run([linker] + quiet_rwx(linker, through_compiler=False) +
                   ["--unique", "-T", script, obj, "-o", ELF], check=True)
    os.remove(obj)
    return ELF


if __name__ == "__main__":
    print(build())
    sys.exit(0)
