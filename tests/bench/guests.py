"""The guests the gdb benchmarks run: three arm64 sizes, and every
architecture's sample guest for the packet lists."""

import os

import gen_large_guest
import gen_real_size_guest
from paths import ARM64_LOAD_ADDRESS, BUILD, SAMPLE_ELF, SAMPLE_FLAT, require_file

# Sample guest directory -> (QEMU's name, where QEMU puts the image, the
# offset add-symbol-file needs: the ELF is a PIE at 0, or linked in place).
SAMPLE_ARCHES = {
    "arm64": ("aarch64", ARM64_LOAD_ADDRESS),
    "arm": ("arm", 0),
    "riscv64": ("riscv64", 0x80200000),
    "x86_64": ("x86_64", 0),
}


def arm64_guests():
    """{"real-size": (elf, flat), "sample": ..., "large": ...}, generating the
    real-size and large ones if needed; the real-size one first: it is the headline."""
    real_elf, real_flat = gen_real_size_guest.build()
    large_elf, large_flat = gen_large_guest.build()
    return {"real-size": (real_elf, real_flat),
            "sample": (require_file(SAMPLE_ELF), require_file(SAMPLE_FLAT)),
            "large": (large_elf, large_flat)}


def sample_guests():
    """{arch: (QEMU arch, elf, flat, add-symbol-file offset)} for each sample guest."""
    guests = {}
    for arch, (qemu_arch, offset) in SAMPLE_ARCHES.items():
        directory = os.path.join(BUILD, "tests", "guests", arch)
        guests[arch] = (qemu_arch, require_file(os.path.join(directory, "sample.elf")),
                        require_file(os.path.join(directory, "sample.flat")), offset)
    return guests
