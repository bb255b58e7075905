"""Every architecture kut-load serves, one row each: how gdb names it, how
its ELF and PE files say it, how QEMU places a test there, and which files
QEMU loads for it that are firmware, not the test.

A new architecture whose test QEMU places with one of the mechanisms below
is one row here (and a sample guest under tests/guests).
"""

from importlib import import_module

from kut_load import elf


LITTLE, BIG = "little", "big"

# Files QEMU loads on every machine that are never a test image.
_COMMON_FIRMWARE = ("bios", "efi-", "pxe-", "vgabios", "sgabios", "edk2", "u-boot")
# What QEMU's pc machine loads besides the BIOS: option ROMs and OVMF.
_PC_FIRMWARE = ("linuxboot", "multiboot", "kvmvapic", "pvh.bin", "ovmf", "qboot")


# Plain classes: importing dataclasses pulls in inspect and ast, several
# milliseconds of every first kut-load.
class Finder:
    """How QEMU places a test: the mechanism's module in finders/
    (arm_boot_loader, riscv_reset_vector, qemu_elf_loader), imported at the
    first call so that a kut-load pays only for its own architecture's, and
    the arguments of its finder()."""

    __slots__ = ("module", "arguments")

    def __init__(self, module, arguments=()):
        self.module = module
        self.arguments = arguments

    def __call__(self, target, native, image):
        mechanism = import_module("kut_load.finders." + self.module)
        return mechanism.finder(*self.arguments)(target, native, image)


class ExceptionEntry:
    """Where kvm-unit-tests' exception entry of an architecture saves the
    interrupted registers (see exception_frames.py): the entry's symbol (a
    regular expression), the struct it saves them in, and the name of that
    struct's layout (the function of exception_frames that reads it)."""

    __slots__ = ("symbol", "struct", "layout")

    def __init__(self, symbol, struct, layout):
        self.symbol = symbol
        self.struct = struct
        self.layout = layout


class Arch:
    """One architecture.

    name: kut-load's name, as messages show it.
    gdb_names: prefixes of gdb's architecture names (`show architecture`) whose
      target can run this ELF.
    elf_machine, elf_bits: e_machine and ELF class (32 or 64) of its test images.
    byte_orders: ELF data encodings its tests come in; the first is gdb's default.
    pe_machine: the PE/COFF Machine field of its EFI images, or None.
    finder: a Finder, called as finder(target, native, image) -> finders.load_address.LoadAddress,
      for an ELF QEMU placed with -kernel (see finders/).
    usual_addresses: where QEMU usually puts the test, for the search by contents.
    firmware: file name prefixes of the firmware QEMU loads for it.
    reverse: whether gdb's reverse commands return in QEMU's replay of a
      recording (reverse-stepi, reverse-continue): seen on aarch64 and arm with
      QEMU 7.2 and 10.0; on x86 and s390x QEMU hangs in them, and on riscv64
      too at some points of a run (selftest's line 81, QEMU 7.2).
    replay_seek: whether QEMU's replay_seek, then a continue, replays on it:
      seen on aarch64 and arm; on riscv64, x86 and s390x the guest never runs
      after it (kut-why starts the replay again instead).
    replay_refusal: why QEMU cannot replay its recordings, or None.
    exception_entry: an ExceptionEntry, or None where `bt` has no way through
      an exception (ppc64, s390x).
    debug_registers: (how many hardware breakpoints and watchpoints KVM can
      have at once, the phrase saying why), or None where it is not known.
    watchpoint_hits_reported: whether QEMU's stub reports a watchpoint's hit
      as one gdb matches to the watchpoint; QEMU 10's ppc64 stub reports a
      plain SIGTRAP under gdb 16 (QEMU 7.2 with gdb 13 reports it).
    """

    __slots__ = ("name", "gdb_names", "elf_machine", "elf_bits", "byte_orders", "pe_machine",
                 "finder", "usual_addresses", "firmware", "reverse", "replay_seek",
                 "exception_entry", "debug_registers", "watchpoint_hits_reported",
                 "replay_refusal")

    def __init__(self, name, gdb_names, elf_machine, elf_bits, byte_orders, pe_machine,
                 finder, usual_addresses, firmware, reverse=False, replay_seek=False,
                 exception_entry=None, debug_registers=None, watchpoint_hits_reported=True,
                 replay_refusal=None):
        self.name = name
        self.gdb_names = gdb_names
        self.elf_machine = elf_machine
        self.elf_bits = elf_bits
        self.byte_orders = byte_orders
        self.pe_machine = pe_machine
        self.finder = finder
        self.usual_addresses = usual_addresses
        self.firmware = firmware
        self.reverse = reverse
        self.replay_seek = replay_seek
        self.exception_entry = exception_entry
        self.debug_registers = debug_registers
        self.watchpoint_hits_reported = watchpoint_hits_reported
        self.replay_refusal = replay_refusal

    def __repr__(self):
        return "Arch(%r)" % self.name


# Under KVM the gdb stub's hardware breakpoints and watchpoints are the host's
# debug registers: x86's DR0-DR3 for both.
_X86_DEBUG_REGISTERS = (4, "x86's 4 debug registers")
# x86_64's and i386's __handle_exception (lib/x86/desc.c) saves a struct ex_regs.
_X86_ENTRY = r"^__handle_exception$"
# riscv/cstart.S's exception_vectors saves a struct pt_regs.
_RISCV_ENTRY = ExceptionEntry(r"^exception_vectors$", "pt_regs", "riscv")

ARCHES = (
    # QEMU virt: hw/arm/boot.c's bootloader_aarch64; the test at RAM base + 0x80000.
    Arch("aarch64", ("aarch64",), elf.EM_AARCH64, 64, (LITTLE,), 0xaa64,
         Finder("arm_boot_loader", ("decode_aarch64_boot", 0x40000000)), (0x40080000,),
         ("qemu_efi", "qemu-efi"), reverse=True, replay_seek=True,
         # arm/cstart64.S's vector stubs (el1h_sync ...) save a struct pt_regs.
         exception_entry=ExceptionEntry(r"^el[01][th]?_(?:sync|irq|fiq|error)(?:_64|_32)?$",
                                        "pt_regs", "arm64"),
         debug_registers=(2, "the 2 breakpoint registers every arm64 has")),
    # QEMU virt: hw/arm/boot.c's bootloader; the test at RAM base + 0x10000.
    Arch("arm", ("arm", "iwmmxt", "xscale"), elf.EM_ARM, 32, (LITTLE,), 0x01c2,
         Finder("arm_boot_loader", ("decode_arm_boot", 0x40000000)), (0x40010000,),
         ("qemu_efi", "qemu-efi"), reverse=True, replay_seek=True,
         # arm/cstart.S's vector_common saves a struct pt_regs (uregs).
         exception_entry=ExceptionEntry(r"^vector_common$", "pt_regs", "arm")),
    # QEMU virt: hw/riscv/boot.c's reset vector hands OpenSBI the test's address.
    Arch("riscv64", ("riscv:rv64",), elf.EM_RISCV, 64, (LITTLE,), 0x5064,
         Finder("riscv_reset_vector", (64,)), (0x80200000,), ("opensbi",),
         exception_entry=_RISCV_ENTRY),
    Arch("riscv32", ("riscv:rv32",), elf.EM_RISCV, 32, (LITTLE,), 0x5032,
         Finder("riscv_reset_vector", (32,)), (0x80400000,), ("opensbi",),
         exception_entry=_RISCV_ENTRY),
    # kvm-unit-tests' x86_64 and i386 images are ELF32 multiboot files that
    # QEMU's multiboot loader places; gdb may say i386 before long mode, or
    # i8086 where the user set real mode.
    Arch("i386", ("i386", "i8086"), elf.EM_386, 32, (LITTLE,), 0x014c,
         Finder("qemu_elf_loader"), (0x400000,), _PC_FIRMWARE,
         exception_entry=ExceptionEntry(_X86_ENTRY, "ex_regs", "i386"),
         debug_registers=_X86_DEBUG_REGISTERS),
    Arch("x86-64", ("i386:x86-64", "i386"), elf.EM_X86_64, 64, (LITTLE,), 0x8664,
         Finder("qemu_elf_loader"), (0x400000,), _PC_FIRMWARE,
         exception_entry=ExceptionEntry(_X86_ENTRY, "ex_regs", "x86_64"),
         debug_registers=_X86_DEBUG_REGISTERS),
    # pseries: hw/ppc/spapr.c loads -kernel X.elf at 0x400000 + p_paddr;
    # powernv: skiboot runs the raw file QEMU put at 0x20000000.
    Arch("ppc64", ("powerpc:common64",), elf.EM_PPC64, 64, (LITTLE, BIG), None,
         Finder("qemu_elf_loader"), (0x400000, 0x20000000),
         ("boot_rom.bin", "slof", "skiboot", "vof"), watchpoint_hits_reported=False,
         replay_refusal="QEMU's replay of a pseries guest stops at once (\"Missing random "
                        "event in the replay log\")"),
    # s390-ccw-virtio: the ELF at its link address, beside the BIOS's own segments.
    Arch("s390x", ("s390:64-bit",), elf.EM_S390, 64, (BIG,), None,
         Finder("qemu_elf_loader"), (), ("s390-ccw", "s390-netboot")),
)


def of_elf(machine, bits):
    """The Arch of an ELF's e_machine and class, or None."""
    for arch in ARCHES:
        if arch.elf_machine == machine and arch.elf_bits == bits:
            return arch
    return None


def of_pe(machine):
    """The Arch of a PE Machine field, or None."""
    for arch in ARCHES:
        if arch.pe_machine == machine:
            return arch
    return None


def elf_name(image):
    """kut-load's name of the architecture an ELF is built for."""
    arch = of_elf(image.machine, image.bits)
    return arch.name if arch else "ELF machine %d" % image.machine


def pe_name(machine):
    arch = of_pe(machine)
    return arch.name if arch else "PE machine %#x" % machine


def of_qemu_program(program):
    """The Arch a qemu-system-* program (a path or a name) emulates, or None."""
    name = program.rsplit("/", 1)[-1]
    prefix = "qemu-system-"
    if not name.startswith(prefix):
        return None
    emulated = name[len(prefix):].replace("_", "-")
    return next((arch for arch in ARCHES if arch.name == emulated), None)


def of_gdb(gdb_name):
    """The Arch of a gdb architecture name, or None; the longest matching
    prefix wins (i386:x86-64 is x86-64, i386 is i386)."""
    best, best_length = None, 0
    for arch in ARCHES:
        for prefix in arch.gdb_names:
            if gdb_name.startswith(prefix) and len(prefix) > best_length:
                best, best_length = arch, len(prefix)
    return best


def from_gdb(gdb_name):
    """kut-load's name for a gdb architecture name, or the gdb name itself."""
    arch = of_gdb(gdb_name)
    return arch.name if arch else gdb_name


def runs_on(arch, gdb_name):
    """Whether a target gdb calls gdb_name can run code of arch."""
    return any(gdb_name.startswith(prefix) for prefix in arch.gdb_names)


def firmware_names():
    """File name prefixes of every firmware any row names, lower case."""
    names = set(_COMMON_FIRMWARE)
    for arch in ARCHES:
        names.update(arch.firmware)
    return tuple(sorted(names))
