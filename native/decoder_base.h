// What the boot-code decoders share: the bytes read, the pc and the current
// instruction word, the trail of decoded instructions and the verdict, and
// the walk through 4-byte instructions until one of them ends it.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "boot_entry.h"
#include "code_window.h"

namespace kut {

class DecoderBase {
 public:
  DecoderBase(std::string_view bytes, uint64_t address) : code_(bytes, address), pc_(address) {}

 protected:
  static constexpr int kMaxSteps = 256;

  // Calls step() for each instruction until it returns false; refuses on
  // running out of bytes, on coming back to an instruction, and after kMaxSteps.
  template <class Step>
  BootEntry walk(Step step, const char* goal) {
    for (int count = 0; count < kMaxSteps; ++count) {
      auto word = code_.read_le(pc_, 4);
      if (!word)
        return refuse("ran past the " + std::to_string(code_.size()) + " bytes read at " +
                      hex(code_.base()) + " without reaching " + goal);
      if (!visited_.insert(pc_).second)
        return refuse("the code loops back to " + hex(pc_) + " and never leaves");
      insn_ = uint32_t(*word);
      if (!step()) return result_;
    }
    return refuse("gave up after " + std::to_string(kMaxSteps) + " instructions");
  }

  void note(const std::string& text) {
    result_.listing.push_back(hex(pc_) + ": " + hex_word(insn_) + "  " + text);
  }
  BootEntry refuse(const std::string& why) {
    result_.found = false;
    result_.reason = why;
    return result_;
  }
  bool stop_refusing(const std::string& why) {
    refuse(why);
    return false;
  }
  bool stop_at(uint64_t target, const std::string& how) {
    result_.found = true;
    result_.entry = target;
    result_.method = how;
    return false;
  }
  // The walk goes on at the next instruction, or at target.
  bool advance() {
    pc_ += 4;
    return true;
  }
  bool jump(uint64_t target) {
    pc_ = target;
    return true;
  }
  std::string at() const { return " at " + hex(pc_); }

  bool unknown() {
    note("(not decoded)");
    return stop_refusing("instruction " + hex_word(insn_) + " at " + hex(pc_) +
                         " is not one the decoder follows");
  }

  CodeWindow code_;
  uint64_t pc_;
  uint32_t insn_ = 0;
  std::set<uint64_t> visited_;
  BootEntry result_;
};

}  // namespace kut
