"""The sample guest of each architecture the end-to-end tests run."""

# guest directory, QEMU, where the image must start (independent of kut-load),
# and the file QEMU is given, as kvm-unit-tests' run scripts give it.
ARCHES = {
    "arm64": ("aarch64", 0x40080000, "sample.flat"),   # QEMU virt: RAM base + 0x80000
    "arm": ("arm", 0x40010000, "sample.flat"),         # QEMU virt: RAM base + 0x10000
    "riscv64": ("riscv64", 0x80200000, "sample.flat"),  # where OpenSBI enters the next stage
    "x86_64": ("x86_64", 0x400000, "sample.flat"),     # the image's own link address
    "i386": ("i386", 0x400000, "sample.flat"),         # the image's own link address
    "ppc64le": ("ppc64", 0x400000, "sample.elf"),      # pseries: 0x400000 + p_paddr 0
    "ppc64": ("ppc64", 0x400000, "sample.elf"),        # pseries, big-endian ELFv1
    "s390x": ("s390x", 0x10000, "sample.elf"),         # the image's own link address
}
