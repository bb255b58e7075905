"""The 32-bit arm boot-code decoder on QEMU's boot loaders and on tricky code."""

from assembler import assemble
from boot_code_samples import QEMU_ARM_VIRT, words

BASE = 0x40000000

# The same QEMU with the board-setup call in front (add lr, pc, #4;
# ldr pc, [pc, #-4]; .word setup), as read from paused raspi2b and
# xilinx-zynq-a9 guests: loader at 0, board setup at 0x420 or 0x100.
QEMU_RASPI2B = words(0xe28fe004, 0xe51ff004, 0x00000420, 0xe3a00000, 0xe59f1004,
                     0xe59f2004, 0xe59ff004, 0x00000c42, 0x00000100, 0x00010000)
QEMU_ZYNQ = words(0xe28fe004, 0xe51ff004, 0x00000100, 0xe3a00000, 0xe59f1004,
                  0xe59f2004, 0xe59ff004, 0x00000d32, 0x00000100, 0x00010000)
# xilinx-zynq-a9's board setup at 0x100 (QEMU 7.2 hw/arm/xilinx_zynq.c):
# unlock the SLCR, write two device registers, return with bx lr.
QEMU_ZYNQ_SETUP = words(0xe3a004f8, 0xe30d1f0d, 0xe3401000, 0xe5801008, 0xe3041008,
                        0xe3401001, 0xe5801100, 0xe307167b, 0xe3401000, 0xe5801004,
                        0xe12fff1e)

# The 0.x-era hw/arm_boot.c loader: the board id (here versatilepb's 0x183)
# built with mov + orr, then literals read at pc + 8.
QEMU_0X = words(0xe3a00000, 0xe3a01083, 0xe3811c01, 0xe59f2000, 0xe59ff000,
                0x00000100, 0x00010000)


def decode(native, code, base=BASE):
    return native.decode_arm_boot(code, base)


def test_qemu_virt_bootloader(native):
    entry = decode(native, QEMU_ARM_VIRT)
    assert entry.found, entry.reason
    assert entry.entry == 0x40010000
    assert "ldr pc" in entry.method and "0x40000018" in entry.method
    assert len(entry.listing) == 4
    assert "r2 = 0x44000000" in entry.listing[2]


def test_qemu_virt_bootloader_in_a_larger_read_of_ram(native):
    entry = decode(native, QEMU_ARM_VIRT + bytes(0x80 - len(QEMU_ARM_VIRT)))
    assert entry.found and entry.entry == 0x40010000


def test_qemu_board_setup_call_is_stepped_over(native):
    for code, setup in ((QEMU_RASPI2B, 0x420), (QEMU_ZYNQ, 0x100)):
        entry = decode(native, code + bytes(0x80 - len(code)), 0)
        assert entry.found, entry.reason
        assert entry.entry == 0x10000
        assert "calls %#x, taken to return to 0xc" % setup in entry.listing[1]
        assert "0x24" in entry.method  # the entry literal after the call


def test_board_setup_inside_the_read_is_followed(native):
    code = QEMU_ZYNQ + bytes(0x100 - len(QEMU_ZYNQ)) + QEMU_ZYNQ_SETUP
    entry = decode(native, code, 0)
    assert entry.found, entry.reason
    assert entry.entry == 0x10000
    assert any("str r1, [r0, #0x8]  // to 0xf8000008" in line for line in entry.listing)
    assert any("bx lr" in line for line in entry.listing)


def test_qemu_0x_bootloader_with_mov_orr_board_id(native):
    entry = decode(native, QEMU_0X, 0)
    assert entry.found, entry.reason
    assert entry.entry == 0x10000
    assert "r1 = 0x183" in entry.listing[2]


def test_board_setup_variant_truncated_before_the_entry_literal(native):
    entry = decode(native, QEMU_RASPI2B[:0x24], 0)
    assert not entry.found
    assert "0x24" in entry.reason and "outside the bytes read" in entry.reason


def test_adr_and_load_from_register_base(native):
    code = assemble("arm", "adr r3, table\nldr r4, [r3, #4]\nbx r4\n"
                           ".balign 4\ntable: .word 0, 0x40123000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40123000
    assert "bx r4" in entry.method and "loaded from" in entry.method


def test_movw_movt_and_mov_pc(native):
    code = assemble("arm", "movw r5, #0x1234\nmovt r5, #0x4008\nmov r6, r5\nmov pc, r6")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40081234
    assert "copied from r5" in entry.method


def test_rotated_immediates_mvn_sub_and_shift(native):
    code = assemble("arm", "mov r0, #0x40000000\nmvn r1, #0\nsub r0, r0, r1\n"
                           "orr r0, r0, #0x80000\nlsl r2, r0, #0\nadd r2, r2, r2, lsr #31\n"
                           "bx r2")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40080001 & ~1


def test_ldr_pc_literal_and_pre_indexed_writeback(native):
    code = assemble("arm", "adr r1, table - 4\nldr r2, [r1, #4]!\nldr pc, [r1, #4]\n"
                           ".balign 4\ntable: .word 7, 0x40200000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40200000


def test_post_indexed_load(native):
    code = assemble("arm", "adr r1, table\nldr r2, [r1], #4\nldr r3, [r1]\nadd r3, r3, r2\n"
                           "bx r3\n.balign 4\ntable: .word 0x100, 0x40200000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40200100


def test_bl_and_return_inside_the_window(native):
    code = assemble("arm", "bl setup\nldr pc, entry\nsetup: ldr r4, entry\nbx lr\n"
                           "entry: .word 0x40080000")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40080000


def test_bl_out_of_the_window_is_a_call(native):
    code = assemble("arm", "mov r4, #0x40000000\nmov r0, #1\nbl . + 0x10000\n"
                           "add r4, r4, #0x10000\nadd r4, r4, r0\nbx r4")
    entry = decode(native, code)
    assert not entry.found  # r0 is lost across the call
    assert "r4" in entry.reason and "unknown" in entry.reason
    code = assemble("arm", "mov r4, #0x40000000\nbl . + 0x10000\n"
                           "add r4, r4, #0x10000\nbx r4")
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x40010000  # r4 survives the call


def test_direct_branch_out_of_the_window(native):
    entry = decode(native, assemble("arm", "nop\nb . + 0x10000"))
    assert entry.found and entry.entry == BASE + 4 + 0x10000
    assert entry.method == "b at %#x" % (BASE + 4)


def test_bx_into_thumb_code_clears_bit_0(native):
    entry = decode(native, assemble("arm", "ldr r0, lit\nbx r0\nlit: .word 0x40010001"))
    assert entry.found and entry.entry == 0x40010000
    assert "Thumb" in entry.method


def test_thumb_inside_the_window_is_refused(native):
    code = assemble("arm", "adr r0, 1f + 1\nbx r0\n1: nop")
    entry = decode(native, code)
    assert not entry.found and "Thumb" in entry.reason


def test_conditional_instruction_is_refused(native):
    entry = decode(native, assemble("arm", "cmp r0, #0\nldreq pc, [pc, #-4]"))
    assert not entry.found and "conditional" in entry.reason


def test_loop_is_refused(native):
    entry = decode(native, assemble("arm", "nop\n1: nop\nb 1b"))
    assert not entry.found and "loops" in entry.reason


def test_unknown_register_is_refused(native):
    entry = decode(native, assemble("arm", "bx r7"))
    assert not entry.found and "r7" in entry.reason and "unknown" in entry.reason


def test_store_into_the_code_is_refused(native):
    entry = decode(native, assemble("arm", "adr r0, 1f\nstr r1, [r0]\n1: bx r1"))
    assert not entry.found and "inside the bytes read" in entry.reason


def test_store_through_unknown_register_is_refused(native):
    entry = decode(native, assemble("arm", "str r1, [r9]\nb . + 0x1000"))
    assert not entry.found and "r9" in entry.reason


def test_exception_return_is_refused(native):
    entry = decode(native, assemble("arm", "movs pc, lr"))
    assert not entry.found and "exception return" in entry.reason


def test_unknown_instructions_are_refused(native):
    for source in ("mrc p15, 0, r0, c1, c0, 0", "ldm r0, {r1, pc}", "mul r0, r1, r2",
                   "svc #0"):
        entry = decode(native, assemble("arm", source))
        assert not entry.found and "not one the decoder follows" in entry.reason, source


def test_truncated_read_is_refused(native):
    entry = decode(native, QEMU_ARM_VIRT[:0x0e])
    assert not entry.found and "ran past" in entry.reason


def test_empty_and_zero_bytes(native):
    assert not decode(native, b"").found
    entry = decode(native, bytes(64))  # andeq r0, r0, r0: conditional
    assert not entry.found and "conditional" in entry.reason


def test_top_of_the_32_bit_address_space(native):
    entry = decode(native, QEMU_ARM_VIRT, 0xfffffff0)
    assert not entry.found
