// How the boot-decoder fuzz targets read the fuzzer's bytes, and what they
// require of every answer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "boot_entry.h"

namespace kut {

struct BootInput {
  uint64_t address;       // where the code was read
  std::string_view code;  // the bytes read there
};

// The first eight bytes (little-endian) are the address, so bases near the
// top of the address space, where sums wrap, are tried as well as RAM bases.
inline std::optional<BootInput> split_boot_input(const uint8_t* data, size_t size) {
  if (size < 8) return std::nullopt;
  uint64_t address = 0;
  for (unsigned i = 0; i < 8; ++i) address |= uint64_t(data[i]) << (8 * i);
  return BootInput{address, std::string_view(reinterpret_cast<const char*>(data) + 8, size - 8)};
}

// boot_entry.h promises a method when found and a reason when not.
inline void check_boot_entry(const BootEntry& entry) {
  const std::string& why = entry.found ? entry.method : entry.reason;
  if (why.empty()) {
    std::fprintf(stderr, "decoder answered found=%d with no %s\n", int(entry.found),
                 entry.found ? "method" : "reason");
    std::abort();
  }
  // Decoding stops after a few hundred instructions, so the listing stays small.
  size_t listed = 0;
  for (const std::string& line : entry.listing) listed += line.size();
  if (entry.listing.size() > 4096 || listed > (size_t(1) << 20)) {
    std::fprintf(stderr, "decoder listing grew to %zu lines\n", entry.listing.size());
    std::abort();
  }
}

}  // namespace kut
