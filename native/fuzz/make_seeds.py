#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora to native/fuzz/corpus/<target>/.

The seeds are real images (the sample guests, small host and cross-compiled
ELF files), damaged copies of them, boot code as read from paused QEMU 7.2
machines, and short snippets assembled by the cross binutils. Build the
project first (the guests come from build/tests/guests); running this again
replaces the seeds it wrote.

Boot-decoder inputs are an 8-byte little-endian address followed by the code
read there; the riscv target takes one more byte before the code, whose low
bit picks xlen (1: 32, 0: 64).
"""

import glob
import os
import shutil
import struct
import subprocess
import sys
import tempfile

FUZZ_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(FUZZ_DIR))
CORPUS = os.path.join(FUZZ_DIR, "corpus")
GUESTS = os.path.join(os.environ.get("KUT_BUILD_DIR", os.path.join(REPO, "build")),
                      "tests", "guests")
sys.path.insert(0, os.path.join(REPO, "tests"))

from assembler import assemble  # noqa: E402  (tests/ is put on the path just above)

# Read with gdb from QEMU 7.2 virt machines paused at reset (-S).
QEMU_AARCH64_BOOTLOADER = bytes.fromhex(  # at 0x40000000
    "c0000058e1031faae2031faae3031faa8400005880001fd60000004400000000"
    "0000084000000000")
QEMU_ARM_BOOTLOADER = bytes.fromhex(  # at 0x40000000
    "0000a0e304109fe504209fe504f09fe5ffffffff0000004400000140")
QEMU_RISCV64_MROM = bytes.fromhex(  # at 0x1000: mrom.reset, then fw_dynamic_info
    "9702000013868202732540f183b5020283b28201678002000000008000000000"
    "0000e087000000004f5342490000000002000000000000000000208000000000"
    "010000000000000000000000000000000000000000000000")
QEMU_RISCV32_MROM = bytes.fromhex(  # at 0x1000, qemu-system-riscv32 -bios none
    "9702000013868202732540f183a5020283a28201678002000000008000000000"
    "0000e087000000004f5342490200000000000080010000000000000000000000")


def address(value):
    return struct.pack("<Q", value & (2**64 - 1))


def guest(arch, name):
    path = os.path.join(GUESTS, arch, name)
    if not os.path.isfile(path):
        sys.exit("%s is missing: build the project first" % path)
    with open(path, "rb") as image:
        return image.read()


def run_in(work, *argv):
    subprocess.run(argv, cwd=work, check=True)


def read(path):
    with open(path, "rb") as image:
        return image.read()


# Positions in a section header as ElfLayout unpacks it, and section types.
SH_NAME, SH_TYPE, SH_OFFSET, SH_SIZE = 0, 1, 4, 5
SHT_NULL, SHT_NOTE, SHT_NOBITS = 0, 7, 8


class ElfLayout:
    """Where the header fields and section headers of a little-endian ELF are."""

    def __init__(self, data):
        self.is64 = data[4] == 2
        self.header = "<HHIQQQIHHHHHH" if self.is64 else "<HHIIIIIHHHHHH"
        self.section = "<IIQQQQIIQQ" if self.is64 else "<IIIIIIIIII"
        fields = struct.unpack_from(self.header, data, 16)
        (_, _, _, _, self.phoff, self.shoff, _, self.ehsize, _, _,
         self.shentsize, self.shnum, self.shstrndx) = fields

    def with_header(self, data, **changes):
        names = ["type", "machine", "version", "entry", "phoff", "shoff", "flags", "ehsize",
                 "phentsize", "phnum", "shentsize", "shnum", "shstrndx"]
        fields = list(struct.unpack_from(self.header, data, 16))
        for name, value in changes.items():
            fields[names.index(name)] = value
        out = bytearray(data)
        struct.pack_into(self.header, out, 16, *fields)
        return bytes(out)

    def section_at(self, data, index):
        return list(struct.unpack_from(self.section, data, self.shoff + index * self.shentsize))

    def with_section(self, data, index, fields):
        out = bytearray(data)
        struct.pack_into(self.section, out, self.shoff + index * self.shentsize, *fields)
        return bytes(out)

    def first_section(self, data, wanted):
        for index in range(1, self.shnum):
            fields = self.section_at(data, index)
            if wanted(fields):
                return index, fields
        raise AssertionError("no such section")


def damaged(data):
    """Copies of one well-formed little-endian ELF, each broken in one way."""
    elf = ElfLayout(data)
    huge = 2**63 if elf.is64 else 2**32 - 1
    index, fields = elf.first_section(
        data, lambda f: f[SH_TYPE] not in (SHT_NULL, SHT_NOBITS) and f[SH_SIZE] > 0)
    past_end, too_big, bad_name = list(fields), list(fields), list(fields)
    past_end[SH_OFFSET] = len(data)
    too_big[SH_SIZE] = huge
    bad_name[SH_NAME] = 0xfffffff0
    bad_class, bad_encoding = bytearray(data), bytearray(data)
    bad_class[4] = 3
    bad_encoding[5] = 3
    return {
        "header-only": data[:elf.ehsize],
        "half": data[:len(data) // 2],
        "shstrndx-out-of-range": elf.with_header(data, shstrndx=elf.shnum + 5),
        "shoff-past-end": elf.with_header(data, shoff=len(data) + 0x1000),
        "shnum-too-many": elf.with_header(data, shnum=0xff00),
        "shentsize-1": elf.with_header(data, shentsize=1),
        "phoff-past-end": elf.with_header(data, phoff=len(data) - 8),
        "section-past-end": elf.with_section(data, index, past_end),
        "section-size-huge": elf.with_section(data, index, too_big),
        "section-name-past-strtab": elf.with_section(data, index, bad_name),
        "class-3": bytes(bad_class),
        "encoding-3": bytes(bad_encoding),
    }


def bad_note(data):
    """data with its first note's name size running past the section."""
    elf = ElfLayout(data)
    _, fields = elf.first_section(data, lambda f: f[SH_TYPE] == SHT_NOTE)
    out = bytearray(data)
    struct.pack_into("<I", out, fields[SH_OFFSET], 0xfffffff0)
    return bytes(out)


def short_debuglink(data):
    """data with .gnu_debuglink cut to the file name: no room for the CRC."""
    elf = ElfLayout(data)
    names_at = elf.section_at(data, elf.shstrndx)[SH_OFFSET]

    def is_debuglink(fields):
        return data[names_at + fields[SH_NAME]:].split(b"\0", 1)[0] == b".gnu_debuglink"

    index, fields = elf.first_section(data, is_debuglink)
    fields[SH_SIZE] = data[fields[SH_OFFSET]:].index(b"\0") + 1
    return elf.with_section(data, index, fields)


def elf_seeds(work):
    seeds = {}
    for arch in ("arm64", "arm", "riscv64", "x86_64"):
        seeds[arch + "-sample.elf"] = guest(arch, "sample.elf")
    seeds["x86_64-sample.flat-elf32"] = guest("x86_64", "sample.flat")
    for arch in ("arm64", "arm"):
        for how, data in damaged(guest(arch, "sample.elf")).items():
            seeds["%s-sample.elf-%s" % (arch, how)] = data
    for host_file in ("crti.o", "Scrt1.o", "libdl.so.2"):
        matches = glob.glob("/usr/lib/*-linux-gnu/" + host_file)
        if matches:
            seeds["host-" + host_file] = read(matches[0])
    seeds["host-libdl.so.2-bad-note"] = bad_note(seeds["host-libdl.so.2"])

    # Big-endian and other machines, from clang's cross targets.
    with open(os.path.join(work, "tiny.c"), "w") as source:
        source.write("int answer = 42;\nint main(void) { return answer; }\n")
    for target, name in (("aarch64_be-none-elf", "aarch64_be.o"), ("armeb-none-eabi", "armeb.o"),
                         ("s390x-linux-gnu", "s390x.o"), ("riscv32-none-elf", "riscv32.o"),
                         ("powerpc64-linux-gnu", "ppc64.o"), ("i386-linux-gnu", "i386.o")):
        run_in(work, "clang", "--target=" + target, "-g", "-fdebug-compilation-dir=.",
               "-c", "tiny.c", "-o", name)
        seeds["clang-" + name] = read(os.path.join(work, name))

    # Separate debug info as EFI builds do it, and compressed DWARF.
    shutil.copy(os.path.join(GUESTS, "arm64", "sample.elf"), os.path.join(work, "sample.elf"))
    objcopy = "aarch64-linux-gnu-objcopy"
    run_in(work, objcopy, "--only-keep-debug", "sample.elf", "sample.debug")
    run_in(work, objcopy, "--strip-debug", "--add-gnu-debuglink=sample.debug",
           "sample.elf", "sample.stripped")
    seeds["arm64-sample.elf-debuglink"] = read(os.path.join(work, "sample.stripped"))
    seeds["arm64-sample.elf-debuglink-no-crc"] = short_debuglink(
        seeds["arm64-sample.elf-debuglink"])
    run_in(work, objcopy, "--compress-debug-sections=zlib", "sample.elf", "sample.zdebug")
    seeds["arm64-sample.elf-compressed-dwarf"] = read(os.path.join(work, "sample.zdebug"))
    return seeds


def boot_aarch64_seeds():
    ram = 0x40000000
    top = 2**64 - 0x18  # the literals lie past the top of the address space
    snippets = {
        "adrp-add-blr": "adrp x5, . + 0x200000\nadd x5, x5, #0x80\nblr x5",
        "adr-ldr-br": "adr x1, table\nldr x2, [x1, #8]\nbr x2\n"
                      ".balign 8\ntable: .quad 0, 0x40123000",
        "movz-movk-mov-br": "movz x3, #0x4008, lsl #16\nmovk x3, #0x1000\nmov x7, x3\nbr x7",
        "bl-ret-b": "bl sub\nb . + 0x200000\nsub: ret",
        "loop": "again: nop\nb again",
        "mrs-br": "mrs x1, mpidr_el1\nbr x1",
        "ldrsw-orr-eor-sub": "ldrsw x1, lit\norr x2, xzr, x1\neor x3, x2, x2, lsl #4\n"
                             "sub x3, x3, #1\nbr x3\nlit: .word 0x80000000",
    }
    seeds = {
        "qemu-virt-bootloader": address(ram) + QEMU_AARCH64_BOOTLOADER,
        "qemu-virt-bootloader-and-ram": address(ram) + QEMU_AARCH64_BOOTLOADER + bytes(0x58),
        "qemu-virt-bootloader-at-top": address(top) + QEMU_AARCH64_BOOTLOADER,
        "arm64-sample.flat": address(0x40080000) + guest("arm64", "sample.flat"),
    }
    for name, source in snippets.items():
        seeds[name] = address(ram) + assemble("aarch64", source, ram)
    return seeds


def boot_arm_seeds():
    ram = 0x40000000
    # Boards with setup code enter it first: add lr, pc, #4; ldr pc, [pc, #-4]; .word setup.
    prefixed = assemble("arm", "add lr, pc, #4\nldr pc, [pc, #-4]\n.word 0x40000100", ram)
    snippets = {
        "adr-ldr-bx": "adr r3, table\nldr r4, [r3, #4]\nbx r4\n"
                      ".balign 4\ntable: .word 0, 0x40200000",
        "movw-movt-barriers-blx": "movw r2, #0x1000\nmovt r2, #0x4001\ndsb sy\ndmb\nisb\nblx r2",
        "bl-bx-lr-ldr-pc": "bl setup\nldr pc, entry\nsetup: ldr r4, entry\nbx lr\n"
                           "entry: .word 0x40010000",
        "str-device-mov-pc": "ldr r0, =0x1c000000\nmov r1, #1\nstr r1, [r0]\n"
                             "strb r1, [r0, #4]\nmov pc, #0x48000000\n.ltorg",
        "bx-thumb": "ldr r0, =0x40010001\nbx r0\n.ltorg",
        "shifted-orr-sub-bx": "mov r1, #0x40000000\norr r1, r1, r1, lsr #12\n"
                              "sub r1, r1, #4\nmvn r2, r1\nbx r1",
        "conditional": "cmp r0, #0\nbeq .",
    }
    seeds = {
        "qemu-virt-bootloader": address(ram) + QEMU_ARM_BOOTLOADER,
        "qemu-virt-bootloader-at-top": address(2**64 - 0x10) + QEMU_ARM_BOOTLOADER,
        "qemu-virt-bootloader-at-4g": address(2**32 - 0x10) + QEMU_ARM_BOOTLOADER,
        "board-setup-prefix": address(ram) + prefixed + QEMU_ARM_BOOTLOADER,
        "arm-sample.flat": address(0x40010000) + guest("arm", "sample.flat"),
    }
    for name, source in snippets.items():
        seeds[name] = address(ram) + assemble("arm", source, ram)
    return seeds


def boot_riscv_seeds():
    rv64, rv32 = b"\0", b"\1"
    mrom = 0x1000
    bad_magic = bytearray(QEMU_RISCV64_MROM)
    bad_magic[0x28] ^= 0xff
    version_1 = bytearray(QEMU_RISCV64_MROM)
    version_1[0x30] = 1
    machine_mode = bytearray(QEMU_RISCV64_MROM)
    machine_mode[0x40] = 3  # fw_dynamic_info.next_mode
    # The decoder refuses compressed code, which rv64gc would otherwise emit.
    snippets = {
        "lui-addi-jalr": "lui t0, 0x80200\naddi t0, t0, 0x10\njalr zero, 0(t0)",
        "jal-away": "jal zero, . + 0x80000",
        "csrr-jr": "csrr t0, mhartid\njr t0",
        "li-add-xor-or-jr": "li t0, 0x80000000\nli t1, 0x200000\nadd t0, t0, t1\n"
                            "xor t2, t0, t0\nor t0, t0, t2\nslli t0, t0, 1\nsrli t0, t0, 1\n"
                            "fence\njr t0",
        "jal-link-jalr-ra": "jal ra, sub\nj . + 0x2000\nsub: jalr zero, 0(ra)",
        "store": "sd zero, 0(sp)\nj . + 0x2000",
    }
    seeds = {
        "qemu-virt-mrom-rv64": address(mrom) + rv64 + QEMU_RISCV64_MROM,
        "qemu-virt-mrom-rv32": address(mrom) + rv32 + QEMU_RISCV32_MROM,
        "qemu-virt-mrom-rv64-at-top": address(2**64 - 0x20) + rv64 + QEMU_RISCV64_MROM,
        "qemu-virt-mrom-rv32-at-4g": address(2**32 - 0x20) + rv32 + QEMU_RISCV32_MROM,
        "qemu-virt-mrom-rv64-bad-magic": address(mrom) + rv64 + bytes(bad_magic),
        "qemu-virt-mrom-rv64-version-1": address(mrom) + rv64 + bytes(version_1),
        "qemu-virt-mrom-rv64-next-mode-m": address(mrom) + rv64 + bytes(machine_mode),
        "riscv64-sample.flat": address(0x80200000) + rv64 + guest("riscv64", "sample.flat"),
    }
    for name, source in snippets.items():
        code = ".option norvc\n" + source
        seeds[name + "-rv64"] = address(mrom) + rv64 + assemble("riscv64", code, mrom)
        if "sd " not in source:
            seeds[name + "-rv32"] = address(mrom) + rv32 + assemble("riscv32", code, mrom)
    return seeds


def write_corpus(target, seeds):
    directory = os.path.join(CORPUS, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as seed:
            seed.write(data)
    print("%s: %d seeds, %d bytes" % (target, len(seeds), sum(map(len, seeds.values()))))


def main():
    with tempfile.TemporaryDirectory() as work:
        write_corpus("elf_image", elf_seeds(work))
    write_corpus("boot_aarch64", boot_aarch64_seeds())
    write_corpus("boot_arm", boot_arm_seeds())
    write_corpus("boot_riscv", boot_riscv_seeds())


if __name__ == "__main__":
    main()
