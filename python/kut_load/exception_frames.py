"""A gdb unwinder for kvm-unit-tests' exception entries, so that `bt` from an
exception handler goes on through the exception into the test's frames.

Each entry saves the interrupted registers in a struct on the stack and calls
do_handle_exception with its stack pointer at that struct; arches.py's rows
name each architecture's entry, its struct and the struct's layout, read by
this module's function of that name (x86_64, i386, arm64, arm, riscv).
The entry's code has no call frame information, so gdb's own unwinders guess
and the backtrace ends in words that are no frames. This unwinder gives the
entry's frame the interrupted registers, read from that struct in guest
memory and laid out as the test's own DWARF describes it. It claims a frame
only when a callee's return lands in one of those entries (never the
innermost frame, whose stack pointer may not be at the struct yet); gdb
before 11 cannot tell the two apart, and there it claims none.

gdb looks up the line and function of every caller frame at its pc minus one,
the call instruction's; the frame an exception interrupted is at the pc the
exception returns to (the faulting instruction for a fault, the next one for
a trap such as an svc). A frame filter shows that pc's own line and function
in `bt`."""

import re

import gdb

from kut_load.session import function_blocks

NAME = "kut-load exception entries"
FILTER_NAME = "kut-load exception frames"

# `info symbol ADDRESS`: "NAME + OFFSET in section .text[ of FILE]", "NAME in section ...".
SYMBOL_AT = re.compile(r"^(\S+)(?: \+ (\d+))? in section ")
ARM_UREGS = ["r%d" % number for number in range(13)] + ["sp", "lr", "pc", "cpsr"]
RISCV_REGISTERS = frozenset(
    ["ra", "sp", "gp", "tp", "fp"] + ["t%d" % n for n in range(7)] +
    ["s%d" % n for n in range(12)] + ["a%d" % n for n in range(8)])
X86_64_SAME_NAMES = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "rip", "cs", "ss",
                     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")


class FrameId:
    """gdb's frame id protocol: the entry's stack pointer and start address."""

    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


def _arch_of(architecture):
    """arches.of_gdb, imported at the first backtrace: gdb's start-up registers this module."""
    from kut_load import arches
    return arches.of_gdb(architecture)


def entry_of(architecture, symbol):
    """(struct name, registers function) of the exception entry symbol is, on
    gdb's architecture name (arches.py's exception_entry), or None."""
    arch = _arch_of(architecture)
    entry = arch and arch.exception_entry
    if entry is None or not re.match(entry.symbol, symbol):
        return None
    return entry.struct, LAYOUTS[entry.layout]


def x86_64_registers(regs, _address):
    saved = {name: regs[name] for name in X86_64_SAME_NAMES}
    saved["eflags"] = regs["rflags"]
    return saved


def i386_registers(regs, address):
    saved = {"e" + name[1:]: regs[name]
             for name in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rip")}
    saved.update(eflags=regs["rflags"], cs=regs["cs"])
    # A fault at the same privilege pushes no esp: the interrupted stack is right above.
    saved["esp"] = address + regs.type.sizeof
    return saved


def arm64_registers(regs, _address):
    saved = {"x%d" % number: regs["regs"][number] for number in range(31)}
    saved.update(sp=regs["sp"], pc=regs["pc"], cpsr=regs["pstate"])
    return saved


def arm_registers(regs, _address):
    return {name: regs["uregs"][index] for index, name in enumerate(ARM_UREGS)}


def riscv_registers(regs, _address):
    saved = {"pc": regs["epc"]}
    for field in regs.type.fields():
        name = "fp" if field.name == "s0" else field.name
        if name in RISCV_REGISTERS:
            saved[name] = regs[field.name]
    return saved


# arches.py's layout names: the function that reads each struct's registers.
LAYOUTS = {"x86_64": x86_64_registers, "i386": i386_registers, "arm64": arm64_registers,
           "arm": arm_registers, "riscv": riscv_registers}


def symbol_at(pc):
    """(name, offset) of the ELF symbol pc is in, or None."""
    try:
        said = gdb.execute("info symbol %#x" % pc, to_string=True)
    except gdb.error:
        return None
    match = SYMBOL_AT.match(said.strip())
    return (match.group(1), int(match.group(2) or 0)) if match else None


# {pc: symbol_at(pc)}, until the objfiles change (forget_symbols).
SYMBOLS = {}
# (pc, sp) of each entry frame this unwinder gave registers, until the guest runs again.
UNWOUND = set()


def forget_symbols(*_event):
    SYMBOLS.clear()


def forget_frames(*_event):
    UNWOUND.clear()


def is_entry(pc, architecture, cache):
    """The (symbol, offset) of pc if it is in an exception entry, else None;
    cache: {pc: symbol_at(pc)}."""
    arch = _arch_of(architecture)
    if arch is None or arch.exception_entry is None:
        return None  # ppc64, s390x: no `info symbol` for every frame of their backtraces
    if pc not in cache:
        cache[pc] = symbol_at(pc)
    symbol = cache[pc]
    return symbol if symbol and entry_of(architecture, symbol[0]) else None


class ExceptionEntryUnwinder:
    """gdb's unwinder protocol (name, enabled, __call__); found through
    gdb.unwinder.register_unwinder."""

    def __init__(self):
        self.name = NAME
        self.enabled = True

    def __call__(self, pending_frame):
        if not hasattr(pending_frame, "level") or pending_frame.level() == 0:
            return None
        pc = int(pending_frame.read_register("pc"))
        architecture = pending_frame.architecture().name()
        symbol = is_entry(pc, architecture, SYMBOLS)
        if symbol is None:
            return None
        struct, registers = entry_of(architecture, symbol[0])
        try:
            info = self.unwind(pending_frame, pc - symbol[1], struct, registers)
        except (gdb.error, gdb.MemoryError, RuntimeError, ValueError, KeyError):
            return None  # the struct is not in the DWARF, or not readable: gdb's own guess
        UNWOUND.add((pc, int(pending_frame.read_register("sp"))))
        return info

    @staticmethod
    def unwind(pending_frame, entry_start, struct, registers):
        address = int(pending_frame.read_register("sp"))
        pointer = gdb.lookup_type("struct " + struct).pointer()
        regs = gdb.Value(address).cast(pointer).dereference()
        saved = registers(regs, address)
        info = pending_frame.create_unwind_info(FrameId(gdb.Value(address),
                                                        gdb.Value(entry_start)))
        for name, value in saved.items():
            register_type = pending_frame.read_register(name).type
            try:
                info.add_saved_register(name, gdb.Value(int(value)).cast(register_type))
            except gdb.error:  # a register of a type an integer does not cast to: not restored
                continue
        return info


class InterruptedFrameFilter:
    """gdb's frame filter protocol: the frame an exception interrupted, shown
    at its own pc's line and function."""

    def __init__(self):
        self.name = FILTER_NAME
        self.priority = 1  # before past-main's, which only ends the list
        self.enabled = True

    def filter(self, frames):
        return (self.decorated(frame) for frame in frames)

    def decorated(self, decorator):
        return interrupted_frame(decorator) if interrupted(decorator.inferior_frame()) \
            else decorator


def interrupted(frame):
    """Whether frame is one an exception interrupted, as this unwinder gave it:
    the frame newer than it is an exception entry's that it unwound."""
    try:
        newer = frame.newer()
        return newer is not None and \
            (newer.pc(), int(newer.read_register("sp"))) in UNWOUND
    except gdb.error:
        return False


def interrupted_frame(decorator):
    """decorator, with the line and function of its frame's pc itself."""
    from gdb.FrameDecorator import FrameDecorator

    class InterruptedFrame(FrameDecorator):
        def function(self):
            blocks = function_blocks(self.inferior_frame().pc())
            return blocks[0].function.print_name if blocks else super().function()

        def line(self):
            found = gdb.find_pc_line(self.inferior_frame().pc())
            return found.line if found.symtab is not None else super().line()

        def filename(self):
            found = gdb.find_pc_line(self.inferior_frame().pc())
            return found.symtab.filename if found.symtab is not None else super().filename()

    return InterruptedFrame(decorator)
