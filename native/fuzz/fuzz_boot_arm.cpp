// Fuzzes decode_arm_boot: an 8-byte address, then the code read there.
#include "boot_arm.h"
#include "boot_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = kut::split_boot_input(data, size);
  if (!input) return -1;  // too short to hold an address: keep it out of the corpus
  kut::check_boot_entry(kut::decode_arm_boot(input->code, input->address));
  return 0;
}
