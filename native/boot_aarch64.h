// Decoder for aarch64 boot code such as QEMU's "bootloader" ROM.
//
// Follows straight-line A64 code from the first byte read: ldr (literal and
// unsigned offset), ldrsw, mov/movz/movn/movk, orr/and/eor, add/sub
// (immediate), adr, adrp, b, bl, ret, nop and system hints. It stops at
// br/blr/ret to a known register, or at a b to an address outside the bytes
// read, and returns that address. It refuses, with a reason, on an unknown
// or conditional instruction, a loop, a register whose value it cannot know,
// or running out of bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "boot_entry.h"

namespace kut {

BootEntry decode_aarch64_boot(std::string_view bytes, uint64_t address);

}  // namespace kut
