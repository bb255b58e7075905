// What a boot-code decoder found: where QEMU's boot loader hands control to
// the test image, or why that could not be told.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kut {

struct BootEntry {
  bool found = false;
  uint64_t entry = 0;                // address control goes to; valid when found
  std::string method;                // how the address was found, for the user
  std::string reason;                // why it was not found; set when !found
  std::vector<std::string> listing;  // one line per decoded instruction or word
};

}  // namespace kut
