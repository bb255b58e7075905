#include "boot_aarch64.h"

#include <array>
#include <optional>

#include "decoder_base.h"

namespace kut {

namespace {

// The general registers as far as the decoder knows them; 31 is xzr or sp.
struct Registers {
  std::array<std::optional<uint64_t>, 32> value;
  std::array<std::string, 32> origin;

  std::optional<uint64_t> read(unsigned reg, bool reg31_is_zero) const {
    if (reg == 31) return reg31_is_zero ? std::optional<uint64_t>(0) : std::nullopt;
    return value[reg];
  }
  void write(unsigned reg, std::optional<uint64_t> v, bool is64, std::string how) {
    if (reg == 31) return;
    if (v && !is64) v = *v & 0xffffffffu;
    value[reg] = v;
    origin[reg] = std::move(how);
  }
};

std::string reg_name(unsigned reg, bool is64, bool reg31_is_zero) {
  if (reg == 31) return reg31_is_zero ? (is64 ? "xzr" : "wzr") : (is64 ? "sp" : "wsp");
  return (is64 ? "x" : "w") + std::to_string(reg);
}

uint64_t shift_value(uint64_t v, unsigned type, unsigned amount, bool is64) {
  unsigned width = is64 ? 64 : 32;
  uint64_t mask = is64 ? ~uint64_t(0) : 0xffffffffu;
  v &= mask;
  if (amount == 0) return v;
  switch (type) {
    case 0: return (v << amount) & mask;
    case 1: return v >> amount;
    case 2: return uint64_t(sign_extend(v, width) >> amount) & mask;
    default: return ((v >> amount) | (v << (width - amount))) & mask;
  }
}

class Decoder : DecoderBase {
 public:
  using DecoderBase::DecoderBase;

  BootEntry run() {
    return walk([this] { return step_one(); }, "a branch");
  }

 private:
  // Loads size bytes the code reads from address, if they were read too.
  std::optional<uint64_t> load(uint64_t address, unsigned size) {
    return code_.read_le(address, size);
  }

  void load_into(unsigned rt, bool is64, uint64_t address, unsigned size, bool sign,
                 const std::string& text) {
    auto v = load(address, size);
    if (v && sign) v = uint64_t(sign_extend(*v, size * 8));
    regs_.write(rt, v, is64, "loaded from " + hex(address));
    note(text + (v ? "  // " + reg_name(rt, is64, true) + " = " + hex(*regs_.value[rt])
                   : "  // " + hex(address) + " was not read"));
  }

  bool branch_to_register(unsigned rn, const char* mnemonic) {
    note(std::string(mnemonic) + " x" + std::to_string(rn));
    auto target = regs_.read(rn, true);
    if (!target)
      return stop_refusing(std::string(mnemonic) + at() + " jumps through x" + std::to_string(rn) +
                           ", whose value is unknown");
    return stop_at(*target, std::string(mnemonic) + " x" + std::to_string(rn) + at() + ", x" +
                                std::to_string(rn) + " " + regs_.origin[rn]);
  }

  bool step_one() {
    const uint32_t w = insn_;
    const unsigned rd = w & 31, rn = (w >> 5) & 31;
    const bool is64 = w >> 31;

    if ((w & 0x3f000000) == 0x18000000) {  // ldr/ldrsw (literal), general registers
      unsigned opc = w >> 30;
      uint64_t address = pc_ + sign_extend((w >> 5) & 0x7ffff, 19) * 4;
      if (opc == 3) {
        note("prfm");
        return advance();
      }
      unsigned size = opc == 1 ? 8 : 4;
      bool x = opc != 0;
      load_into(
          rd, x, address, size, opc == 2,
          std::string(opc == 2 ? "ldrsw " : "ldr ") + reg_name(rd, x, true) + ", " + hex(address));
      return advance();
    }
    if ((w & 0x1f000000) == 0x10000000) {  // adr/adrp
      int64_t imm = sign_extend(((w >> 5) & 0x7ffff) << 2 | ((w >> 29) & 3), 21);
      bool page = w >> 31;
      uint64_t v = page ? (pc_ & ~uint64_t(0xfff)) + uint64_t(imm) * 4096 : pc_ + imm;
      regs_.write(rd, v, true, std::string("computed by ") + (page ? "adrp" : "adr") + at());
      note(std::string(page ? "adrp " : "adr ") + reg_name(rd, true, true) + ", " + hex(v));
      return advance();
    }
    if ((w & 0x1f800000) == 0x12800000) {  // movn/movz/movk
      unsigned opc = (w >> 29) & 3, shift = ((w >> 21) & 3) * 16;
      uint64_t imm = uint64_t((w >> 5) & 0xffff) << shift;
      if (opc == 1 || (!is64 && shift >= 32)) return unknown();
      std::optional<uint64_t> v;
      const char* name = opc == 0 ? "movn" : opc == 2 ? "movz" : "movk";
      if (opc == 0) v = ~imm;
      if (opc == 2) v = imm;
      if (opc == 3) {
        auto old = regs_.read(rd, true);
        if (old) v = (*old & ~(uint64_t(0xffff) << shift)) | imm;
      }
      regs_.write(rd, v, is64, std::string("built by ") + name + at());
      note(std::string(name) + " " + reg_name(rd, is64, true) + ", #" + hex(imm >> shift) +
           (shift ? ", lsl #" + std::to_string(shift) : ""));
      return advance();
    }
    if ((w & 0x1f000000) == 0x0a000000) {  // and/orr/eor (shifted register)
      unsigned opc = (w >> 29) & 3, rm = (w >> 16) & 31, amount = (w >> 10) & 63;
      if (opc == 3 || (!is64 && amount >= 32)) return unknown();
      auto a = regs_.read(rn, true), b = regs_.read(rm, true);
      std::optional<uint64_t> v;
      if (a && b) {
        uint64_t m = shift_value(*b, (w >> 22) & 3, amount, is64);
        if (w & (1u << 21)) m = ~m;
        v = opc == 0 ? (*a & m) : opc == 1 ? (*a | m) : (*a ^ m);
      }
      bool is_mov = opc == 1 && rn == 31 && amount == 0 && !(w & (1u << 21));
      regs_.write(rd, v, is64,
                  is_mov && b ? "copied from " + reg_name(rm, is64, true) + ", " + regs_.origin[rm]
                              : "computed at " + hex(pc_));
      note(is_mov ? "mov " + reg_name(rd, is64, true) + ", " + reg_name(rm, is64, true)
                  : std::string(opc == 0   ? "and"
                                : opc == 1 ? "orr"
                                           : "eor") +
                        " " + reg_name(rd, is64, true));
      return advance();
    }
    if ((w & 0x1f800000) == 0x11000000) {                      // add/sub (immediate)
      bool sub = w & (1u << 30), sets_flags = w & (1u << 29);  // adds/subs: rd 31 is xzr
      uint64_t imm = uint64_t((w >> 10) & 0xfff) << ((w & (1u << 22)) ? 12 : 0);
      auto a = regs_.read(rn, false);
      std::optional<uint64_t> v;
      if (a) v = sub ? *a - imm : *a + imm;
      regs_.write(rd, v, is64, "computed by " + std::string(sub ? "sub" : "add") + at());
      note(std::string(sub ? "sub " : "add ") + reg_name(rd, is64, sets_flags) + ", " +
           reg_name(rn, is64, false) + ", #" + hex(imm));
      return advance();
    }
    if ((w & 0xbfc00000) == 0xb9400000) {  // ldr (immediate, unsigned offset)
      unsigned size = (w >> 30) == 3 ? 8 : 4;
      uint64_t offset = uint64_t((w >> 10) & 0xfff) * size;
      auto base = regs_.read(rn, false);
      std::string text = "ldr " + reg_name(rd, size == 8, true) + ", [" +
                         reg_name(rn, true, false) + ", #" + hex(offset) + "]";
      if (!base) {
        regs_.write(rd, std::nullopt, size == 8, "");
        note(text + "  // base unknown");
        return advance();
      }
      load_into(rd, size == 8, *base + offset, size, false, text);
      return advance();
    }
    if ((w & 0xfffffc1f) == 0xd61f0000) return branch_to_register(rn, "br");
    if ((w & 0xfffffc1f) == 0xd63f0000) return branch_to_register(rn, "blr");
    if ((w & 0xfffffc1f) == 0xd65f0000) {  // ret: back to a bl inside the window
      auto target = regs_.read(rn, true);
      if (target && code_.contains(*target, 4)) {
        note("ret");
        return jump(*target);
      }
      return branch_to_register(rn, "ret");
    }
    if ((w & 0x7c000000) == 0x14000000) {  // b/bl
      bool link = w >> 31;
      uint64_t target = pc_ + sign_extend(w & 0x3ffffff, 26) * 4;
      note(std::string(link ? "bl " : "b ") + hex(target));
      if (code_.contains(target, 4)) {
        if (link) regs_.write(30, pc_ + 4, true, "set by bl at " + hex(pc_));
        return jump(target);
      }
      if (link)
        return stop_refusing("bl at " + hex(pc_) + " calls " + hex(target) +
                             ", outside the bytes read, and may not come back");
      return stop_at(target, "b at " + hex(pc_));
    }
    if ((w & 0xfffff01f) == 0xd503201f) {
      note("hint");
      return advance();
    }
    if ((w & 0xfffff0ff) == 0xd503309f || (w & 0xfffff0ff) == 0xd50330df) {
      note("barrier");  // dsb/isb
      return advance();
    }
    if ((w & 0xfff00000) == 0xd5300000) {  // mrs: a system register the decoder cannot know
      regs_.write(rd, std::nullopt, true, "");
      note("mrs " + reg_name(rd, true, true));
      return advance();
    }
    return unknown();
  }

  Registers regs_;
};

}  // namespace

BootEntry decode_aarch64_boot(std::string_view bytes, uint64_t address) {
  return Decoder(bytes, address).run();
}

}  // namespace kut
