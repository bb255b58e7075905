"""Frames and code addresses as a kvm-unit-tests user wants them at a
failure: the test's own frame rather than the report library's, and the
place an unhandled exception was taken."""

import re

import gdb

from kut_load import exception_frames, native
from kut_load.errors import KutLoadError
from kut_load.session import function_blocks
from kut_load.break_fail import s390x_lowcore

# kvm-unit-tests' library sources: lib/X.c and lib/ARCH/X.c, as the build names them, and
# headers reached through the lib/asm link (ppc64: lib/asm/../../powerpc/asm/processor.h).
LIBRARY_FILE = re.compile(r"(^|/)lib/(([^/]+/)?[^/]+$|asm/\.\./)")
LIBRARY_FUNCTIONS = frozenset((
    "va_report", "va_report_xfail", "report", "report_xfail", "report_kfail", "report_fail",
    "report_pass", "report_skip", "report_abort", "abort", "assert_msg", "show_regs",
    "bad_exception", "unhandled_exception", "do_handle_exception", "handle_pgm_int",
    "print_pgm_info"))
# s390x's program-interrupt handlers (lib/s390x/interrupt.c): the pc is in the lowcore.
PROGRAM_INTERRUPT_HANDLERS = frozenset(("handle_pgm_int", "print_pgm_info"))
# Where each architecture's exception frame (kvm-unit-tests' pt_regs or ex_regs) keeps the pc.
PC_FIELDS = ("pc", "rip", "epc", "nip")
ARM_PC_REGISTER = 15  # arm pt_regs: ARM_pc is uregs[15]


def is_library_frame(frame):
    """Whether frame runs kvm-unit-tests' library: by its source file, or by
    name for the report, abort and exception functions (also without DWARF)."""
    if frame.name() in LIBRARY_FUNCTIONS:
        return True
    # The frame's line names its file: an inlined function's symbol names its call's
    # file, and assembly has lines but no function in the DWARF.
    symtab = frame.find_sal().symtab
    if symtab is None and frame.function() is not None:
        symtab = frame.function().symtab
    return bool(symtab and LIBRARY_FILE.search(symtab.filename))


def test_frame():
    """The innermost frame outside the test library, or None. Without DWARF a
    frame still has its ELF symbol's name; a frame with neither is skipped."""
    frame = gdb.newest_frame()
    while frame is not None:
        if frame.name() is not None and not is_library_frame(frame):
            return frame
        try:
            frame = frame.older()
        except gdb.error:  # unwinding through an exception entry can fail
            return None
    return None


def where(pc):
    """'FUNCTION at FILE:LINE' for a code address, as far as symbols tell,
    and where each function inlined there was called: ', inlined into
    CALLER at FILE:LINE'. gdb's symbol of an inlined function carries its
    call site (DW_AT_call_file, DW_AT_call_line)."""
    line = gdb.find_pc_line(pc)
    blocks = function_blocks(pc)
    text = "%#x" % pc
    if blocks:
        text += " in %s" % blocks[0].function.print_name
    if line.symtab is not None:
        text += " at %s:%d" % (line.symtab.filename, line.line)
    for inlined, caller in zip(blocks, blocks[1:]):
        call = inlined.function
        text += ", inlined into %s" % caller.function.print_name
        if call.symtab is not None and call.line > 0:
            text += " at %s:%d" % (call.symtab.filename, call.line)
    return text


def test_line(pc):
    """(file name, line) in the test's own source where pc runs, or None:
    pc's own line if it is not the library's, else the innermost call site
    of a function inlined there that is not."""
    line = gdb.find_pc_line(pc)
    places = [(line.symtab, line.line)] if line.symtab is not None else []
    places += [(block.function.symtab, block.function.line) for block in function_blocks(pc)[:-1]
               if block.function.symtab is not None]
    for symtab, number in places:
        if number > 0 and not LIBRARY_FILE.search(symtab.filename):
            return symtab, number
    return None


def interrupted_test_frame(pc, limit=32):
    """The test's frame an exception at pc interrupted: the innermost frame
    at pc outside the library, or the innermost outside it that called into
    it; None unless kut-load's unwinder took the backtrace through the
    exception entry to pc (exception_frames.py): gdb's own guesses there
    may restore registers wrongly."""
    frame = gdb.newest_frame()
    reached = False
    for _ in range(limit):
        if frame is None:
            return None
        reached = reached or (frame.pc() == pc and exception_frames.interrupted(frame))
        if reached and frame.name() is not None and not is_library_frame(frame):
            return frame
        try:
            frame = frame.older()
        except gdb.error:
            return None
    return None


# The sections gdb unwinds a frame with, besides guessing from the code.
CALL_FRAME_SECTIONS = frozenset((".eh_frame", ".debug_frame", ".ARM.exidx"))
_HAS_CALL_FRAME_INFORMATION = {}


def guessed_registers(frame):
    """The symbol file of frame's code when it has no call frame information
    (no .eh_frame, .debug_frame or .ARM.exidx with contents: the arm64 and
    x86_64 .efi.debug files),
    so that gdb guesses from the code where the frames newer than frame saved
    its registers; else None."""
    sal = frame.find_sal()
    symtab = sal.symtab if sal.symtab is not None else (
        frame.function() and frame.function().symtab)
    if symtab is None:
        return None
    path = symtab.objfile.filename
    if path not in _HAS_CALL_FRAME_INFORMATION:
        try:
            # objcopy --only-keep-debug leaves .eh_frame as NOBITS: a name without the data.
            names = {section.name for section in native.load().ElfImage(path).sections
                     if section.has_contents}
            _HAS_CALL_FRAME_INFORMATION[path] = bool(names & CALL_FRAME_SECTIONS)
        except (KutLoadError, native.elf_error()):  # unknown: gdb's unwinding as it is
            _HAS_CALL_FRAME_INFORMATION[path] = True
    return None if _HAS_CALL_FRAME_INFORMATION[path] else path


def frame_where(frame, returned=False):
    """'FUNCTION at FILE:LINE' for a frame; a caller's line is its call's.
    returned: a call just returned to frame (its pc is the return address),
    so the line is the instruction's before its pc, gdb's rule for a caller."""
    sal = gdb.find_pc_line(frame.pc() - 1) if returned else frame.find_sal()
    text = frame.function().print_name if frame.function() else (frame.name() or "??")
    if sal.symtab is not None:
        text += " at %s:%d" % (sal.symtab.filename, sal.line)
    return text


def source_line(pc):
    """The source text of pc's line, as gdb's `list` shows it, or None; where
    pc is in a library function inlined into the test, the test's line."""
    place = test_line(pc)
    if place is None:
        line = gdb.find_pc_line(pc)
        place = (line.symtab, line.line)
    symtab, number = place
    if symtab is None or number < 1:
        return None
    try:
        with open(symtab.fullname(), errors="replace") as source:
            for index, text in enumerate(source, 1):
                if index == number:
                    return "%d\t%s" % (number, text.rstrip("\n"))
    except OSError:
        pass
    return None


def library_exception_pc(limit=8):
    """exception_pc() of the innermost library frame that has one, among the
    `limit` innermost frames: an abort() called by an exception handler
    (lib/powerpc's do_handle_exception, say) still names the faulting pc."""
    frame = gdb.newest_frame()
    for _ in range(limit):
        if frame is None:
            break
        if is_library_frame(frame):
            pc = exception_pc(frame)
            if pc is not None:
                return pc
        try:
            frame = frame.older()
        except gdb.error:
            break
    return None


def exception_pc(frame):
    """The pc the exception interrupted, from the `regs` argument of the
    exception handler (kvm-unit-tests' pt_regs or ex_regs), or from the
    lowcore in s390x's program-interrupt handler; None if neither."""
    if frame.name() in PROGRAM_INTERRUPT_HANDLERS:
        return program_interrupt_pc()
    try:
        regs = frame.read_var("regs").dereference()
        fields = {field.name for field in regs.type.strip_typedefs().fields()}
        for name in PC_FIELDS:
            if name in fields:
                return int(regs[name])
        if "uregs" in fields:
            return int(regs["uregs"][ARM_PC_REGISTER])
    except (gdb.error, ValueError, RuntimeError):
        pass
    return None


def program_interrupt_pc():
    """s390x: the address of the instruction the program interrupt was taken
    at, read from the lowcore (s390x_lowcore), or None if unreadable."""
    inferior = gdb.selected_inferior()
    try:
        int_id_and_code = inferior.read_memory(s390x_lowcore.PGM_INT_ID, 4)
        old_psw = inferior.read_memory(s390x_lowcore.PGM_OLD_PSW, 16)
    except gdb.MemoryError:
        return None
    return s390x_lowcore.interrupted_pc(int_id_and_code, old_psw)
