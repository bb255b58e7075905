"""The RISC-V reset-vector decoder on QEMU's reset vectors and fw_dynamic_info,
for RV64 and RV32, and on broken inputs."""

import struct

from assembler import assemble
from boot_code_samples import (QEMU_RV32, QEMU_RV64, RESET_CODE_64, fw_dynamic_info,
                               reset_vector)

ROM = 0x1000

# QEMU 4.x-5.0 (before fw_dynamic support): a1 = the fdt in the ROM, no a2,
# and the firmware (fw_jump) decides where the next stage is.
QEMU_5_0 = struct.pack("<6IQ", 0x00000297, 0x02028593, 0xf1402573, 0x0182b283,
                       0x00028067, 0, 0x80000000)


def decode(native, code, xlen=64, base=ROM):
    return native.decode_riscv_boot(code, base, xlen)


def assembled(arch, source, base=ROM):
    # No compressed instructions, and no linker relaxation into them either.
    return assemble(arch, ".option norvc\n.option norelax\n" + source, base)


def test_qemu_rv64_reset_vector(native):
    entry = decode(native, QEMU_RV64)
    assert entry.found, entry.reason
    assert entry.entry == 0x80200000
    assert "jr t0 at 0x1014" in entry.method and "firmware at 0x80000000" in entry.method
    assert "a2 = 0x1028" in entry.method and "S-mode" in entry.method
    assert len(entry.listing) == 6 + 6
    assert entry.listing[-4] == "0x1038: next_addr 0x80200000"


def test_qemu_rv32_reset_vector_has_32_bit_words(native):
    entry = decode(native, QEMU_RV32, 32)
    assert entry.found, entry.reason
    assert entry.entry == 0x80000000
    assert entry.listing[-4] == "0x1030: next_addr 0x80000000"
    assert entry.listing[-1] == "0x103c: boot_hart 0x0"
    assert "jumps straight to 0x80000000" in entry.method  # no firmware in between


def test_larger_read_of_the_rom(native):
    entry = decode(native, QEMU_RV64 + bytes(0x100))
    assert entry.found and entry.entry == 0x80200000


def test_version_1_has_no_boot_hart(native):
    code = reset_vector(RESET_CODE_64) + fw_dynamic_info(64, version=1, fields=5)
    entry = decode(native, code)
    assert entry.found and entry.entry == 0x80200000
    assert not any("boot_hart" in line for line in entry.listing)


def test_qemu_before_fw_dynamic_is_refused(native):
    entry = decode(native, QEMU_5_0 + bytes(0x40))
    assert not entry.found
    assert "a2 never set" in entry.reason and "0x80000000" in entry.reason


def test_wrong_magic_is_refused(native):
    code = reset_vector(RESET_CODE_64) + fw_dynamic_info(64, magic=0x4942534e)
    entry = decode(native, code)
    assert not entry.found and "magic 0x4942534e" in entry.reason


def test_bad_versions_are_refused(native):
    for version in (0, 3, 0x100000002):
        code = reset_vector(RESET_CODE_64) + fw_dynamic_info(64, version=version)
        entry = decode(native, code)
        assert not entry.found and "version %#x" % version in entry.reason


def test_struct_cut_short_by_the_read_is_refused(native):
    entry = decode(native, QEMU_RV64[:-8])  # boot_hart missing
    assert not entry.found and "outside the" in entry.reason
    entry = decode(native, QEMU_RV64[:0x28])  # the reset vector alone
    assert not entry.found and "fw_dynamic_info at 0x1028" in entry.reason


def test_reset_vector_cut_short_is_refused(native):
    entry = decode(native, QEMU_RV64[:0x12])
    assert not entry.found and "ran past" in entry.reason


def test_a2_outside_the_read_is_refused(native):
    code = assembled("riscv64", "auipc t0, 0\naddi a2, t0, 0x400\nld t0, 24(t0)\njr t0\n"
                                ".balign 8\n.dword 0x80000000")
    entry = decode(native, code + fw_dynamic_info(64))
    assert not entry.found and "0x1400" in entry.reason and "outside" in entry.reason


def test_xlen_must_match_the_target(native):
    entry = decode(native, QEMU_RV32, 64)  # 32-bit words read as 64-bit ones
    assert not entry.found and "magic" in entry.reason
    entry = decode(native, QEMU_RV64, 32)  # ld does not exist on RV32
    assert not entry.found and "0202b583" in entry.reason
    entry = decode(native, QEMU_RV64, 16)
    assert not entry.found and "xlen 16" in entry.reason


def test_lui_addi_and_mv_build_the_pointers(native):
    code = assembled("riscv64", "lui a2, %hi(info)\naddi a2, a2, %lo(info)\n"
                                "li t1, 0x80000000\nmv t2, t1\njalr x0, 0(t2)\n"
                                ".balign 8\ninfo:")
    entry = decode(native, code + fw_dynamic_info(64, next_addr=0x80400000))
    assert entry.found, entry.reason
    assert entry.entry == 0x80400000 and "firmware at 0x80000000" in entry.method


def test_rv32_lw_and_jal_inside_the_window(native):
    code = assembled("riscv32", "j 1f\nnop\n1: auipc t0, 0\naddi a2, t0, 0x18\n"
                                "lw t0, 16(t0)\njr t0\n.word 0x80400000\n.word 0")
    code = code.ljust(0x20, b"\0") + fw_dynamic_info(32, next_addr=0x80400000)
    entry = decode(native, code, 32)
    assert entry.found, entry.reason
    assert entry.entry == 0x80400000


def test_jal_out_of_the_window_enters_the_firmware(native):
    code = assembled("riscv64", "auipc a2, 0\naddi a2, a2, 16\nj . + 0x7f000\nnop")
    entry = decode(native, code + fw_dynamic_info(64))
    assert entry.found and entry.entry == 0x80200000
    assert "firmware at 0x80008" in entry.method


def test_loop_is_refused(native):
    entry = decode(native, assembled("riscv64", "nop\n1: nop\nj 1b"))
    assert not entry.found and "loops" in entry.reason


def test_conditional_branch_is_refused(native):
    entry = decode(native, assembled("riscv64", "beqz a0, 1f\n1: jr a0"))
    assert not entry.found and "conditional branch" in entry.reason


def test_compressed_instruction_is_refused(native):
    entry = decode(native, assemble("riscv64", ".option rvc\nc.nop\nc.nop"))
    assert not entry.found and "compressed" in entry.reason


def test_store_is_refused(native):
    entry = decode(native, assembled("riscv64", "sd a0, 0(sp)\njr a0"))
    assert not entry.found and "store" in entry.reason


def test_unknown_register_and_instruction_are_refused(native):
    entry = decode(native, assembled("riscv64", "jr a5"))
    assert not entry.found and "a5" in entry.reason and "unknown" in entry.reason
    entry = decode(native, assembled("riscv64", "ecall"))
    assert not entry.found and "not one the decoder follows" in entry.reason


def test_csr_result_is_unknown(native):
    code = assembled("riscv64", "csrr t0, mhartid\njr t0")
    entry = decode(native, code)
    assert not entry.found and "t0" in entry.reason and "unknown" in entry.reason


def test_empty_and_zero_bytes(native):
    assert not decode(native, b"").found
    entry = decode(native, bytes(64))
    assert not entry.found and "compressed" in entry.reason


def test_top_of_address_space_does_not_wrap(native):
    entry = decode(native, QEMU_RV64, 64, 0xffffffffffffffe0)
    assert not entry.found


def test_one_read_covers_mrom_reset_and_mrom_finfo():
    from kut_load.finders.riscv_reset_vector import reset_vector_window
    from kut_load.qemu.roms import parse_info_roms
    # qemu-system-riscv64 -machine virt, QEMU 7.2: `monitor info roms`.
    roms = parse_info_roms(
        'addr=0000000000001000 size=0x000028 mem=rom name="mrom.reset"\n'
        'addr=0000000000001028 size=0x000030 mem=rom name="mrom.finfo"\n'
        'addr=0000000080200000 size=0x000560 mem=ram name="riscv/selftest.flat"\n')
    assert reset_vector_window(roms)[:2] == (0x1000, 0x58)
    assert reset_vector_window([])[:2] == (0x1000, 0x58)
