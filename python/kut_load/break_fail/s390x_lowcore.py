"""Where an s390x program interrupt was taken, from the lowcore: kvm-unit-tests'
handler (lib/s390x/interrupt.c, handle_pgm_int) takes no regs argument; the
CPU stores the interrupted PSW and the instruction's length there. Pure: the
caller reads the memory."""

import struct

# z/Architecture Principles of Operation, "Assigned Storage Locations" (real addresses).
PGM_INT_ID = 0x8c  # halfword: the instruction-length code, in bytes, in bits 13-14
PGM_INT_CODE = 0x8e  # halfword: the interruption code
PGM_OLD_PSW = 0x150  # doubleword mask, doubleword address
# Exceptions that nullify the instruction: the old PSW names it, not the next one (the
# DAT exceptions, as QEMU's target/s390x/tcg/excp_helper.c do_program_interrupt() has them).
NULLIFYING_CODES = frozenset((0x10, 0x11, 0x38, 0x39, 0x3a, 0x3b))
PER_EVENT = 0x80  # a PER event stored with the code


def interrupted_pc(int_id_and_code, old_psw):
    """The address of the instruction the program interrupt was taken at.
    int_id_and_code: the 4 bytes at PGM_INT_ID; old_psw: the 16 bytes at
    PGM_OLD_PSW (big-endian). For an exception that suppresses or completes
    the instruction, the old PSW points past it by the stored length."""
    int_id, code = struct.unpack(">HH", bytes(int_id_and_code))
    _, address = struct.unpack(">QQ", bytes(old_psw))
    if (code & ~PER_EVENT & 0xff) in NULLIFYING_CODES:
        return address
    return address - (int_id & 0x6)
