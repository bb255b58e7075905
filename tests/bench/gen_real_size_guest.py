"""Builds an arm64 guest the size of a real kvm-unit-tests test: about 550 KB
of ELF with DWARF and 100 KB of code (upstream arm/gic.elf, built by Debian's
aarch64 cross gcc, has those sizes), laid out as gen_large_guest.py does."""

import sys

import gen_large_guest

# 48 units, as many as a test and the kvm-unit-tests library it links.
REAL_SIZE = gen_large_guest.Shape("real-size", units=48, structs=20, fields=10,
                                  functions_per_unit=20)


def build(jobs=2):
    """Returns (elf, flat), generating them unless they are up to date."""
    return gen_large_guest.build(REAL_SIZE, jobs)


if __name__ == "__main__":
    print(gen_large_guest.describe(*build()))
    sys.exit(0)
