"""The architecture table, row by row, against independent sources: the
ELF and PE constants as pyelftools and the PE/COFF specification name them,
and the names gdb-multiarch gives its architectures."""

import inspect
import os
import subprocess

import pytest
from elftools.elf.enums import ENUM_E_MACHINE

from kut_load import arches

# e_machine names (pyelftools) of each row.
ELF_MACHINES = {
    "aarch64": "EM_AARCH64", "arm": "EM_ARM", "riscv64": "EM_RISCV", "riscv32": "EM_RISCV",
    "i386": "EM_386", "x86-64": "EM_X86_64", "ppc64": "EM_PPC64", "s390x": "EM_S390",
}
# IMAGE_FILE_MACHINE_* of the PE/COFF specification; no EFI for ppc64 or s390x.
PE_MACHINES = {
    "aarch64": 0xaa64, "arm": 0x01c2, "riscv64": 0x5064, "riscv32": 0x5032,
    "i386": 0x014c, "x86-64": 0x8664, "ppc64": None, "s390x": None,
}
# What `set architecture` offers in gdb-multiarch, one per row.
GDB_NAMES = {
    "aarch64": "aarch64", "arm": "armv7", "riscv64": "riscv:rv64", "riscv32": "riscv:rv32",
    "i386": "i386", "x86-64": "i386:x86-64", "ppc64": "powerpc:common64", "s390x": "s390:64-bit",
}


@pytest.fixture(scope="module")
def gdb_architectures():
    # Not under the sanitizer run's preloaded runtime, which deadlocks gdb.
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    shown = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", "set architecture"],
                           capture_output=True, text=True, env=env, timeout=60).stderr
    return set(shown.replace(",", " ").replace(".", " ").split())


def test_every_row_is_covered_here():
    assert sorted(arch.name for arch in arches.ARCHES) == sorted(ELF_MACHINES)


@pytest.mark.parametrize("arch", arches.ARCHES, ids=lambda arch: arch.name)
def test_row(arch, gdb_architectures):
    assert arch.elf_machine == ENUM_E_MACHINE[ELF_MACHINES[arch.name]]
    assert arches.of_elf(arch.elf_machine, arch.elf_bits) is arch
    assert arch.elf_bits in (32, 64)
    assert arch.pe_machine == PE_MACHINES[arch.name]
    if arch.pe_machine is not None:
        assert arches.of_pe(arch.pe_machine) is arch
        assert arches.pe_name(arch.pe_machine) == arch.name
    gdb_name = GDB_NAMES[arch.name]
    assert gdb_name in gdb_architectures
    assert arches.from_gdb(gdb_name) == arch.name
    assert arches.runs_on(arch, gdb_name)
    assert set(arch.byte_orders) <= {arches.LITTLE, arches.BIG} and arch.byte_orders
    assert list(inspect.signature(arch.finder).parameters) == ["target", "native", "image"]
    assert all(isinstance(address, int) for address in arch.usual_addresses)
    assert arch.firmware and all(name == name.lower() for name in arch.firmware)
    assert set(arch.firmware) <= set(arches.firmware_names())


@pytest.mark.parametrize("arch", arches.ARCHES, ids=lambda arch: arch.name)
def test_no_other_target_runs_the_row(arch):
    others = [row for row, name in GDB_NAMES.items() if arches.runs_on(arch, name)]
    # An x86-64 test runs while gdb still says i386; an i386 one on qemu-system-x86_64.
    allowed = {"x86-64": {"x86-64", "i386"}, "i386": {"i386", "x86-64"}}
    assert set(others) <= allowed.get(arch.name, {arch.name})


def test_unknown_machines_are_named_by_number():
    class Mips:
        machine, bits = ENUM_E_MACHINE["EM_MIPS"], 32
    assert arches.elf_name(Mips) == "ELF machine 8"
    assert arches.pe_name(0x1234) == "PE machine 0x1234"
    assert arches.from_gdb("mips") == "mips"


@pytest.mark.parametrize("program, name", [
    ("/usr/bin/qemu-system-aarch64", "aarch64"), ("qemu-system-arm", "arm"),
    ("qemu-system-riscv64", "riscv64"), ("qemu-system-riscv32", "riscv32"),
    ("/usr/bin/qemu-system-x86_64", "x86-64"), ("qemu-system-i386", "i386"),
    ("qemu-system-ppc64", "ppc64"), ("qemu-system-s390x", "s390x"),
])
def test_the_architecture_a_qemu_program_emulates(program, name):
    assert arches.of_qemu_program(program).name == name
    assert arches.of_qemu_program(program).gdb_names[0]  # what kut-debug sets on gdb 10


@pytest.mark.parametrize("program", ["qemu-system-mips", "qemu-aarch64", "gdb", ""])
def test_other_programs_emulate_no_architecture_of_ours(program):
    assert arches.of_qemu_program(program) is None


# Exception entries as kvm-unit-tests names them: lib/x86/desc.c's __handle_exception,
# the vector stubs arm/cstart64.S makes with its vector macro, arm/cstart.S's
# vector_common, riscv/cstart.S's exception_vectors. ppc64 and s390x: none.
ENTRY_SYMBOLS = {
    "aarch64": ["el1h_sync", "el1t_irq", "el1_fiq", "el0_sync_64", "el0_error_32"],
    "arm": ["vector_common"], "riscv64": ["exception_vectors"],
    "riscv32": ["exception_vectors"], "i386": ["__handle_exception"],
    "x86-64": ["__handle_exception"], "ppc64": [], "s390x": [],
}
# What no entry is: the C handler every entry calls, and code around them.
NO_ENTRY = ["do_handle_exception", "main", "el1h_sync_handler", "xvector_common"]
# Hardware breakpoints and watchpoints at once under KVM: x86's DR0-DR3 (Intel SDM
# vol. 3, 18.2); arm64's architectural minimum of 2 (Arm ARM, ID_AA64DFR0_EL1.BRPs).
DEBUG_REGISTERS = {"i386": 4, "x86-64": 4, "aarch64": 2}


@pytest.mark.parametrize("arch", arches.ARCHES, ids=lambda arch: arch.name)
def test_exception_entry_and_debug_registers(arch):
    import re
    from gdb_stub import gdb_stub
    entry = arch.exception_entry
    assert (entry is None) == (not ENTRY_SYMBOLS[arch.name])
    if entry is not None:
        assert all(re.match(entry.symbol, name) for name in ENTRY_SYMBOLS[arch.name])
        assert not any(re.match(entry.symbol, name) for name in NO_ENTRY)
        with gdb_stub():
            from kut_load import exception_frames
            assert entry.layout in exception_frames.LAYOUTS
            assert exception_frames.entry_of(GDB_NAMES[arch.name], ENTRY_SYMBOLS[arch.name][0])[
                1] is exception_frames.LAYOUTS[entry.layout]
    registers = arch.debug_registers
    assert (registers and registers[0]) == DEBUG_REGISTERS.get(arch.name)
    # Seen: QEMU 10's ppc64 stub reports a watchpoint's hit as a plain SIGTRAP.
    assert arch.watchpoint_hits_reported == (arch.name != "ppc64")


def test_going_back_facts_hold_together():
    for arch in arches.ARCHES:
        # replay_seek is used where gdb's reverse-continue serves too (kut-why's earlier write).
        assert not arch.replay_seek or arch.reverse, arch.name
        # An architecture whose recordings QEMU cannot replay has no way back at all.
        assert not arch.replay_refusal or not (arch.reverse or arch.replay_seek), arch.name
    assert {arch.name for arch in arches.ARCHES if arch.replay_seek} == {"aarch64", "arm"}
    assert [arch.name for arch in arches.ARCHES if arch.replay_refusal] == ["ppc64"]
