"""The aarch64 boot-code decoder on QEMU's boot loaders and on tricky code."""

import struct

from assembler import assemble
from boot_code_samples import QEMU_AARCH64_VIRT

BASE = 0x40000000


def decode(native, code, base=BASE):
    return native.decode_aarch64_boot(code, base)


def test_qemu_bootloader(native):
    entry = decode(native, QEMU_AARCH64_VIRT)
    assert entry.found, entry.reason
    assert entry.entry == 0x40080000
    assert "br x4" in entry.method and "0x40000020" in entry.method
    assert len(entry.listing) == 6


def test_qemu_bootloader_in_a_larger_read_of_ram(native):
    entry = decode(native, QEMU_AARCH64_VIRT + bytes(0x58))
    assert entry.found and entry.entry == 0x40080000


def test_other_base_and_kernel_address(native):
    code = QEMU_AARCH64_VIRT[:0x20] + struct.pack("<Q", 0x80280000)
    entry = decode(native, code, 0x80000000)
    assert entry.found and entry.entry == 0x80280000


def test_adrp_add_and_blr(native):
    code = assemble("aarch64", "adrp x5, . + 0x200000\nadd x5, x5, #0x80\nblr x5")
    entry = decode(native, code)
    assert entry.found and entry.entry == BASE + 0x200080


def test_adr_then_ldr_from_register_base(native):
    code = assemble("aarch64", "adr x1, table\nldr x2, [x1, #8]\nbr x2\n"
                               ".balign 8\ntable: .quad 0, 0x40123000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40123000


def test_movz_movk_chain_and_register_move(native):
    code = assemble("aarch64", "movz x3, #0x4008, lsl #16\nmovk x3, #0x1234\nmov x9, x3\nbr x9")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40081234
    assert "x9" in entry.method


def test_board_setup_prefix_is_followed(native):
    code = assemble("aarch64",
                    "b 1f\nnop\n1: isb\nldr x4, lit\nbr x4\n.balign 8\nlit: .quad 0x40080000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40080000


def test_bl_and_ret_inside_the_window(native):
    code = assemble("aarch64", "bl setup\nldr x4, lit\nbr x4\nsetup: mov x0, xzr\nret\n"
                               ".balign 8\nlit: .quad 0x40080000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40080000


def test_direct_branch_out_of_the_window(native):
    code = assemble("aarch64", "b . + 0x80000")
    entry = decode(native, code)
    assert entry.found and entry.entry == BASE + 0x80000


def test_loop_is_refused(native):
    entry = decode(native, assemble("aarch64", "nop\n1: nop\nb 1b"))
    assert not entry.found and "loops" in entry.reason


def test_unknown_register_is_refused(native):
    entry = decode(native, assemble("aarch64", "br x7"))
    assert not entry.found and "x7" in entry.reason and "unknown" in entry.reason


def test_literal_outside_the_window_is_refused(native):
    entry = decode(native, assemble("aarch64", "ldr x4, . + 0x1000\nbr x4"))
    assert not entry.found and "unknown" in entry.reason
    assert "was not read" in entry.listing[0]


def test_conditional_branch_is_refused(native):
    entry = decode(native, assemble("aarch64", "cbz x0, 1f\n1: br x0"))
    assert not entry.found and "not one the decoder follows" in entry.reason


def test_truncated_read_is_refused(native):
    entry = decode(native, QEMU_AARCH64_VIRT[:0x12])
    assert not entry.found and "ran past" in entry.reason


def test_empty_and_zero_bytes(native):
    assert not decode(native, b"").found
    entry = decode(native, bytes(64))
    assert not entry.found and "00000000" in entry.reason


def test_top_of_address_space_does_not_wrap(native):
    entry = decode(native, QEMU_AARCH64_VIRT, 0xfffffffffffffff0)
    assert not entry.found
