"""Runs the Debian binutils that understand a given ELF file: the host's
objcopy reads only x86 files, so foreign guests need their cross binutils."""

import functools
import shutil
import subprocess

from elftools.elf.elffile import ELFFile

# e_machine, as pyelftools names it -> the Debian cross binutils' prefix.
PREFIX_FOR_MACHINE = {
    "EM_AARCH64": "aarch64-linux-gnu-",
    "EM_ARM": "arm-linux-gnueabihf-",
    "EM_RISCV": "riscv64-linux-gnu-",
    "EM_X86_64": "x86_64-linux-gnu-",
    "EM_386": "x86_64-linux-gnu-",
    "EM_PPC64": "powerpc64le-linux-gnu-",
    "EM_S390": "s390x-linux-gnu-",
}


def tool_for(elf_path, tool):
    """The path of binutils' TOOL (objcopy, strip, ...) for ELF_PATH's machine."""
    with open(elf_path, "rb") as stream:
        machine = ELFFile(stream)["e_machine"]
    assert machine in PREFIX_FOR_MACHINE, "no cross binutils known for %s" % machine
    program = shutil.which(PREFIX_FOR_MACHINE[machine] + tool)
    assert program, "%s%s is not installed" % (PREFIX_FOR_MACHINE[machine], tool)
    return program


def objcopy(*args):
    """objcopy ARGS, with the binutils of the input file: the first argument
    that is not an option."""
    input_path = next(arg for arg in args if not arg.startswith("-"))
    subprocess.run([tool_for(input_path, "objcopy")] + list(args), check=True)


@functools.lru_cache(maxsize=None)
def quiet_rwx(linker, through_compiler=True):
    """The option that silences binutils' warning about a RWX segment, which
    the sample guests intend, as a list for LINKER's command line: empty where
    the linker does not know it (binutils before 2.39, Debian 11's 2.35)."""
    option = ("-Wl," if through_compiler else "") + "--no-warn-rwx-segments"
    version = ("-Wl," if through_compiler else "") + "--version"
    probe = [linker] + (["-nostdlib"] if through_compiler else []) + [option, version]
    accepted = subprocess.run(probe, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    return [option] if accepted else []
