"""Frames and code addresses as a kvm-unit-tests user wants them at a
failure: the test's own frame rather than the report library's, and the
place an unhandled exception was taken."""

import re

import gdb

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
    function = frame.function()
    # Assembly has lines but no function in the DWARF: its line table names the file.
    symtab = function.symtab if function is not None else frame.find_sal().symtab
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
    """'FUNCTION at FILE:LINE' for a code address, as far as symbols tell."""
    line = gdb.find_pc_line(pc)
    block = None
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        pass
    function = block.function if block is not None else None
    while block is not None and function is None:
        block = block.superblock
        function = block.function if block is not None else None
    text = "%#x" % pc
    if function is not None:
        text += " in %s" % function.print_name
    if line.symtab is not None:
        text += " at %s:%d" % (line.symtab.filename, line.line)
    return text


def frame_where(frame):
    """'FUNCTION at FILE:LINE' for a frame; a caller's line is its call's."""
    sal = frame.find_sal()
    text = frame.function().print_name if frame.function() else (frame.name() or "??")
    if sal.symtab is not None:
        text += " at %s:%d" % (sal.symtab.filename, sal.line)
    return text


def source_line(pc):
    """The source text of pc's line, as gdb's `list` shows it, or None."""
    line = gdb.find_pc_line(pc)
    if line.symtab is None or line.line < 1:
        return None
    try:
        with open(line.symtab.fullname(), errors="replace") as source:
            for number, text in enumerate(source, 1):
                if number == line.line:
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
