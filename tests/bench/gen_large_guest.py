"""Builds an arm64 guest like the sample one, but with tens of MB of DWARF.

Many translation units include one header of many structs, as kvm-unit-tests'
tests all include libcflat: each unit repeats the header's types in its own
DWARF, which is where a large image's debug information comes from. The
image boots like the sample (same start.S, io.c and flat.lds): its main
returns at once.
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from paths import GUESTS_SRC, WORK, program

UNITS = 64
STRUCTS = 1500
FIELDS = 16
FUNCTIONS_PER_UNIT = 80

# The arm64 sample guest's flags (tests/guests/CMakeLists.txt), plus
# -fno-eliminate-unused-debug-types so every unit describes the whole header.
CFLAGS = ["-g", "-O0", "-ffreestanding", "-nostdlib", "-fno-omit-frame-pointer",
          "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
          "-fpie", "-mgeneral-regs-only", "-mstrict-align",
          "-fno-eliminate-unused-debug-types"]
LDFLAGS = ["-nostdlib", "-Wl,-n", "-Wl,-z,noexecstack", "-Wl,--build-id=none",
           "-Wl,--no-warn-rwx-segments", "-pie", "-Wl,--no-dynamic-linker",
           "-Wl,-z,norelro"]
FIELD_TYPES = ("unsigned int", "long", "unsigned char", "short", "unsigned long long",
               "const char *")

OUT_DIR = os.path.join(WORK, "large-guest")
ELF = os.path.join(OUT_DIR, "large.elf")
FLAT = os.path.join(OUT_DIR, "large.flat")


def header():
    lines = ["#ifndef BENCH_TYPES_H", "#define BENCH_TYPES_H"]
    for number in range(STRUCTS):
        lines.append("struct bench_type_%d {" % number)
        for field in range(FIELDS):
            lines.append("\t%s field_%d_%d;" % (FIELD_TYPES[(number + field) % len(FIELD_TYPES)],
                                                number, field))
        lines.append("\tstruct bench_type_%d *next;" % ((number + 1) % STRUCTS))
        lines.append("};")
        lines.append("typedef struct bench_type_%d bench_type_%d_t;" % (number, number))
    lines.append("#endif")
    return "\n".join(lines) + "\n"


def unit(number):
    lines = ['#include "bench_types.h"']
    for function in range(FUNCTIONS_PER_UNIT):
        struct = (number * FUNCTIONS_PER_UNIT + function) % STRUCTS
        lines += [
            "unsigned long bench_%d_%d(bench_type_%d_t *value, unsigned long count)"
            % (number, function, struct),
            "{",
            "\tunsigned long total = count;",
            "\tunsigned int step;",
            "\tfor (step = 0; step < 4; step++)",
            "\t\ttotal += (unsigned long)value->field_%d_0 * step;" % struct,
            "\treturn total + (unsigned long)value->next;",
            "}",
        ]
    lines.append("bench_type_%d_t bench_global_%d;" % (number % STRUCTS, number))
    return "\n".join(lines) + "\n"


MAIN = """int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
"""


def write(path, text):
    with open(path, "w") as out:
        out.write(text)


def up_to_date():
    me = os.path.getmtime(os.path.abspath(__file__))
    return all(os.path.isfile(path) and os.path.getmtime(path) > me for path in (ELF, FLAT))


def build(jobs=2):
    """Returns (elf, flat), generating them unless they are newer than this script."""
    if up_to_date():
        return ELF, FLAT
    cc = program("aarch64-linux-gnu-gcc")
    objcopy = program("aarch64-linux-gnu-objcopy")
    os.makedirs(OUT_DIR, exist_ok=True)
    write(os.path.join(OUT_DIR, "bench_types.h"), header())
    sources = [os.path.join(OUT_DIR, "main.c")]
    write(sources[0], MAIN)
    for number in range(UNITS):
        sources.append(os.path.join(OUT_DIR, "unit_%d.c" % number))
        write(sources[-1], unit(number))
    sources += [os.path.join(GUESTS_SRC, "arm64", "start.S"),
                os.path.join(GUESTS_SRC, "arm64", "io.c")]
    include = ["-I", os.path.join(GUESTS_SRC, "common"), "-I", OUT_DIR]

    def compile_one(source):
        target = os.path.join(OUT_DIR, os.path.basename(source) + ".o")
        subprocess.run([cc] + CFLAGS + include + ["-c", source, "-o", target], check=True)
        return target

    with ThreadPoolExecutor(jobs) as pool:
        objects = list(pool.map(compile_one, sources))
    subprocess.run([cc] + LDFLAGS + ["-T", os.path.join(GUESTS_SRC, "arm64", "flat.lds")]
                   + objects + ["-o", ELF], check=True)
    subprocess.run([objcopy, "-O", "binary", ELF, FLAT], check=True)
    for path in objects:
        os.remove(path)
    return ELF, FLAT


def debug_bytes(elf):
    """Total size of the .debug_* sections, from the section table."""
    output = subprocess.run([program("aarch64-linux-gnu-size"), "-A", elf], check=True,
                            capture_output=True, text=True).stdout
    return sum(int(fields[1]) for fields in (line.split() for line in output.splitlines())
               if len(fields) >= 2 and fields[0].startswith(".debug"))


if __name__ == "__main__":
    elf, flat = build()
    print("%s: %.1f MB of DWARF; %s: %d bytes" % (elf, debug_bytes(elf) / 1e6, flat,
                                                 os.path.getsize(flat)))
    sys.exit(0)
