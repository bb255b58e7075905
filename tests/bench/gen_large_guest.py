"""Builds an arm64 guest like the sample one, but with tens of MB of DWARF;
build(shape) builds others (gen_real_size_guest.py).

Many translation units include one header of many structs, as kvm-unit-tests'
tests all include libcflat: each unit repeats the header's types in its own
DWARF, which is where a large image's debug information comes from. Each unit
also has a table of pointers, which a PIE relocates at run time. The
image boots like the sample (same start.S, io.c and flat.lds): its main
returns at once.
"""

import os
import subprocess
import sys
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from binutils import quiet_rwx
from paths import GUESTS_SRC, WORK, program

# How much code and DWARF a generated guest has; name: its directory and files.
Shape = namedtuple("Shape", "name units structs fields functions_per_unit")
LARGE = Shape("large", units=64, structs=1500, fields=16, functions_per_unit=80)

# The arm64 sample guest's flags (tests/guests/CMakeLists.txt), plus
# -fno-eliminate-unused-debug-types so every unit describes the whole header.
CFLAGS = ["-g", "-O0", "-ffreestanding", "-nostdlib", "-fno-omit-frame-pointer",
          "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
          "-fpie", "-mgeneral-regs-only", "-mstrict-align",
          "-fno-eliminate-unused-debug-types"]
LDFLAGS = ["-nostdlib", "-Wl,-n", "-Wl,-z,noexecstack", "-Wl,--build-id=none", "-pie",
           "-Wl,--no-dynamic-linker", "-Wl,-z,norelro"]
FIELD_TYPES = ("unsigned int", "long", "unsigned char", "short", "unsigned long long",
               "const char *")


def paths(shape):
    """(directory, elf, flat) of a generated guest."""
    out_dir = os.path.join(WORK, "%s-guest" % shape.name)
    return (out_dir, os.path.join(out_dir, shape.name + ".elf"),
            os.path.join(out_dir, shape.name + ".flat"))


def header(shape):
    lines = ["#ifndef BENCH_TYPES_H", "#define BENCH_TYPES_H"]
    for number in range(shape.structs):
        lines.append("struct bench_type_%d {" % number)
        for field in range(shape.fields):
            lines.append("\t%s field_%d_%d;" % (FIELD_TYPES[(number + field) % len(FIELD_TYPES)],
                                                number, field))
        lines.append("\tstruct bench_type_%d *next;" % ((number + 1) % shape.structs))
        lines.append("};")
        lines.append("typedef struct bench_type_%d bench_type_%d_t;" % (number, number))
    lines.append("#endif")
    return "\n".join(lines) + "\n"


def unit(shape, number):
    lines = ['#include "bench_types.h"']
    for function in range(shape.functions_per_unit):
        struct = (number * shape.functions_per_unit + function) % shape.structs
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
    lines.append("bench_type_%d_t bench_global_%d;" % (number % shape.structs, number))
    # A table of functions, as a test's own tables are: under -pie
    # every pointer in it is a dynamic relocation, and a test has hundreds.
    lines.append("void *const bench_table_%d[] = {" % number)
    for function in range(shape.functions_per_unit):
        lines.append("\t(void *)bench_%d_%d," % (number, function))
    lines.append("};")
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


def up_to_date(shape):
    """Built by this script, as it is now, for this shape."""
    out_dir, elf, flat = paths(shape)
    stamp = os.path.join(out_dir, "shape")
    me = os.path.getmtime(os.path.abspath(__file__))
    if not all(os.path.isfile(path) and os.path.getmtime(path) > me
               for path in (elf, flat, stamp)):
        return False
    with open(stamp) as text:
        return text.read() == repr(shape)


def build(shape=LARGE, jobs=2):
    """Returns (elf, flat), generating them unless up_to_date(shape)."""
    out_dir, elf, flat = paths(shape)
    if up_to_date(shape):
        return elf, flat
    cc = program("aarch64-linux-gnu-gcc")
    objcopy = program("aarch64-linux-gnu-objcopy")
    os.makedirs(out_dir, exist_ok=True)
    write(os.path.join(out_dir, "bench_types.h"), header(shape))
    # As kvm-unit-tests links a test: start-up code first, then code on both
    # sides of main (the test's own, then the library), so main is mid-image.
    units = []
    for number in range(shape.units):
        units.append(os.path.join(out_dir, "unit_%d.c" % number))
        write(units[-1], unit(shape, number))
    main = os.path.join(out_dir, "main.c")
    write(main, MAIN)
    half = shape.units // 2
    sources = ([os.path.join(GUESTS_SRC, "arm64", "start.S")] + units[:half] + [main]
               + units[half:] + [os.path.join(GUESTS_SRC, "arm64", "io.c")])
    include = ["-I", os.path.join(GUESTS_SRC, "common"), "-I", out_dir]

    def compile_one(source):
        target = os.path.join(out_dir, os.path.basename(source) + ".o")
        subprocess.run([cc] + CFLAGS + include + ["-c", source, "-o", target], check=True)
        return target

    with ThreadPoolExecutor(jobs) as pool:
        objects = list(pool.map(compile_one, sources))
    script = os.path.join(GUESTS_SRC, "arm64", "flat.lds")
    subprocess.run([cc] + LDFLAGS + quiet_rwx(cc) + ["-T", script] + objects + ["-o", elf],
                   check=True)
    subprocess.run([objcopy, "-O", "binary", elf, flat], check=True)
    for path in objects:
        os.remove(path)
    write(os.path.join(out_dir, "shape"), repr(shape))
    return elf, flat


def debug_bytes(elf):
    """Total size of the .debug_* sections, from the section table."""
    output = subprocess.run([program("aarch64-linux-gnu-size"), "-A", elf], check=True,
                            capture_output=True, text=True).stdout
    return sum(int(fields[1]) for fields in (line.split() for line in output.splitlines())
               if len(fields) >= 2 and fields[0].startswith(".debug"))


def describe(elf, flat):
    return "%s: %d bytes, %.1f MB of DWARF; %s: %d bytes" % (
        elf, os.path.getsize(elf), debug_bytes(elf) / 1e6, flat, os.path.getsize(flat))


if __name__ == "__main__":
    print(describe(*build()))
    sys.exit(0)
