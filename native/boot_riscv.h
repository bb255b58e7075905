// Decoder for RISC-V reset vectors such as QEMU's "mrom.reset", which hands
// over to OpenSBI's fw_dynamic firmware rather than to the test.
//
// Follows straight-line RV32I/RV64I code from the first byte read: lui,
// auipc, addi/addiw and the other immediate ALU instructions, add/sub/and/
// or/xor, loads with a known base, csr reads (their result unknown), fence,
// jal and jalr. The first jump that leaves the bytes read enters the
// firmware; a2 then points to OpenSBI's
//   struct fw_dynamic_info { magic, version, next_addr, next_mode, options,
//                            boot_hart; }
// of xlen-bit little-endian words. If that lies in the bytes read, holds the
// magic 0x4942534f ("OSBI") and version 1 or 2, the entry returned is
// next_addr: where the firmware enters the next stage. (With -bios none,
// QEMU writes the same struct and jumps straight to the kernel, so next_addr
// is still right.)
//
// It refuses, with a reason, on xlen other than 32 or 64, an unknown,
// compressed or conditional instruction, a store, a loop, a jump through an
// unknown register, a2 unknown or outside the bytes read, a wrong magic or
// version, or running out of bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "boot_entry.h"

namespace kut {

BootEntry decode_riscv_boot(std::string_view bytes, uint64_t address, unsigned xlen);

}  // namespace kut
