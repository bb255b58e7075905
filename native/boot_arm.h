// Decoder for 32-bit arm (A32, little-endian) boot code such as QEMU's
// "bootloader" ROM.
//
// Follows straight-line A32 code from the first byte read: the data-processing
// instructions (mov, mvn, add, sub, orr, ...) with an immediate or an
// immediately shifted register, movw/movt, ldr/ldrb/str/strb with an
// immediate offset from pc or from a known register, b, bl, bx, blx
// (register), nop and barriers. pc reads as the instruction's address + 8.
// Stores outside the bytes read (board setup writing device registers) are
// passed over. It stops at the first branch that leaves the bytes read (b,
// bx, ldr pc, mov pc, ...) and returns its target, with bit 0 (Thumb) cleared.
//
// A call that leaves the bytes read but returns into them is stepped over as
// an AAPCS subroutine: decoding resumes at the return address with r0-r3, r12
// and lr unknown and r4-r11 and sp kept. A call is a bl or blx, or any other
// branch right after an instruction that set lr to an address in the bytes
// read; QEMU's board-setup prefix `add lr, pc, #4; ldr pc, [pc, #-4];
// .word setup` is such a call.
//
// It refuses, with a reason, on a conditional or unknown instruction, a
// store into the bytes read or through an unknown register, a loop, a jump
// through a register whose value it cannot know, a switch to Thumb inside the
// bytes read, or running out of bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "boot_entry.h"

namespace kut {

BootEntry decode_arm_boot(std::string_view bytes, uint64_t address);

}  // namespace kut
