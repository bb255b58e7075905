// Bytes read from guest memory at a known address, with bounds-checked
// little-endian reads: a decoder can never look outside what was read.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace kut {

class CodeWindow {
 public:
  CodeWindow(std::string_view bytes, uint64_t base) : bytes_(bytes), base_(base) {}

  uint64_t base() const { return base_; }
  uint64_t size() const { return bytes_.size(); }

  bool contains(uint64_t address, uint64_t length) const {
    return address >= base_ && address - base_ <= bytes_.size() &&
           length <= bytes_.size() - (address - base_);
  }

  std::optional<uint64_t> read_le(uint64_t address, unsigned length) const {
    if (length > 8 || !contains(address, length)) return std::nullopt;
    uint64_t value = 0;
    for (unsigned i = 0; i < length; ++i)
      value |= uint64_t(uint8_t(bytes_[address - base_ + i])) << (8 * i);
    return value;
  }

 private:
  std::string_view bytes_;
  uint64_t base_;
};

inline std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

inline std::string hex_word(uint32_t value) {
  char text[12];
  std::snprintf(text, sizeof text, "%08x", value);
  return text;
}

inline int64_t sign_extend(uint64_t value, unsigned bits) {
  uint64_t sign = uint64_t(1) << (bits - 1);
  value &= (sign << 1) - 1;
  return static_cast<int64_t>((value ^ sign) - sign);
}

}  // namespace kut
