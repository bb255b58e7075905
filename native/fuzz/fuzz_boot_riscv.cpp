// Fuzzes decode_riscv_boot: an 8-byte address, one byte whose low bit picks
// xlen (1: 32, 0: 64), then the code read there.
#include "boot_input.h"
#include "boot_riscv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = kut::split_boot_input(data, size);
  if (!input || input->code.empty()) return -1;  // no address or no xlen: not an input
  unsigned xlen = input->code[0] & 1 ? 32 : 64;
  input->code.remove_prefix(1);
  kut::check_boot_entry(kut::decode_riscv_boot(input->code, input->address, xlen));
  return 0;
}
