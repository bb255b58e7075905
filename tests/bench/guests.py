"""The arm64 guests the gdb benchmarks run: the sample test and a large one."""

import gen_large_guest
from paths import SAMPLE_ELF, SAMPLE_FLAT, require_file


def arm64_guests():
    """{"sample": (elf, flat), "large": (elf, flat)}, generating the large one if needed."""
    large_elf, large_flat = gen_large_guest.build()
    return {"sample": (require_file(SAMPLE_ELF), require_file(SAMPLE_FLAT)),
            "large": (large_elf, large_flat)}
