"""s390x_lowcore: the interrupted instruction from lowcore bytes laid out as
the z/Architecture Principles of Operation assigns them."""

import struct

from kut_load.break_fail.s390x_lowcore import interrupted_pc


def lowcore(ilen, code, address):
    """The bytes at 0x8c (ILC in bits 13-14 of the halfword) and at 0x150."""
    return struct.pack(">HH", ilen, code), struct.pack(">QQ", 0x0000000180000000, address)


def test_a_suppressed_instruction_is_behind_the_old_psw_by_its_length():
    # An operation exception (code 1) on a 2-byte opcode, a data exception (7) on a 6-byte one.
    assert interrupted_pc(*lowcore(2, 0x01, 0x10482)) == 0x10480
    assert interrupted_pc(*lowcore(6, 0x07, 0x1129a)) == 0x11294


def test_a_nullified_instruction_is_where_the_old_psw_points():
    # A page-translation exception (0x11), also with a PER event stored with it.
    assert interrupted_pc(*lowcore(4, 0x11, 0x20000)) == 0x20000
    assert interrupted_pc(*lowcore(4, 0x91, 0x20000)) == 0x20000


def test_bits_beside_the_length_code_are_ignored():
    assert interrupted_pc(*lowcore(0x8004, 0x04, 0x30004)) == 0x30000
