#include "boot_arm.h"

#include <array>
#include <optional>
#include <utility>

#include "decoder_base.h"

namespace kut {

namespace {

constexpr unsigned kLr = 14, kPc = 15;

const char* const kDataOps[16] = {"and", "eor", "sub", "rsb", "add", "adc", "sbc", "rsc",
                                  "tst", "teq", "cmp", "cmn", "orr", "mov", "bic", "mvn"};
const char* const kShiftNames[4] = {"lsl", "lsr", "asr", "ror"};

std::string reg_name(unsigned reg) {
  if (reg == 13) return "sp";
  if (reg == kLr) return "lr";
  if (reg == kPc) return "pc";
  return "r" + std::to_string(reg);
}

uint32_t rotate_right(uint32_t v, unsigned amount) {
  amount &= 31;
  return amount ? (v >> amount) | (v << (32 - amount)) : v;
}

// A register shifted by an immediate; nullopt for rrx, which needs the carry
// flag the decoder does not track.
std::optional<uint32_t> shift_by_immediate(uint32_t v, unsigned type, unsigned amount) {
  switch (type) {
    case 0: return v << amount;
    case 1: return amount ? v >> amount : 0;  // lsr #0 encodes lsr #32
    case 2: return uint32_t(sign_extend(v, 32) >> (amount ? amount : 31));  // asr #0: #32
    default: return amount ? std::optional<uint32_t>(rotate_right(v, amount)) : std::nullopt;
  }
}

// The result of a data-processing operation that writes a register; nullopt
// for adc/sbc/rsc, which need the carry flag.
std::optional<uint32_t> data_result(unsigned op, uint32_t a, uint32_t b) {
  switch (op) {
    case 0: return a & b;
    case 1: return a ^ b;
    case 2: return a - b;
    case 3: return b - a;
    case 4: return a + b;
    case 12: return a | b;
    case 13: return b;
    case 14: return a & ~b;
    case 15: return ~b;
    default: return std::nullopt;
  }
}

// r0-r14 as far as the decoder knows them, with how each got its value.
struct Registers {
  std::array<std::optional<uint32_t>, 15> value;
  std::array<std::string, 15> origin;
};

class Decoder : DecoderBase {
 public:
  using DecoderBase::DecoderBase;

  BootEntry run() {
    return walk(
        [this] {
          // Only the instruction right after the one that set lr can be a call through it.
          call_return_ = std::exchange(next_call_return_, std::nullopt);
          return step_one();
        },
        "a branch");
  }

 private:
  // pc reads as the instruction's address + 8 in A32.
  std::optional<uint32_t> read(unsigned reg) const {
    if (reg == kPc) return uint32_t(pc_ + 8);
    return regs_.value[reg];
  }
  std::string origin(unsigned reg) const {
    return reg == kPc ? "read as pc" + at() + " + 8" : regs_.origin[reg];
  }
  void write(unsigned reg, std::optional<uint32_t> v, std::string how) {
    regs_.value[reg] = v;
    regs_.origin[reg] = std::move(how);
    if (reg == kLr && v && code_.contains(*v, 4)) next_call_return_ = *v;
  }

  bool step_one() {
    const uint32_t w = insn_;
    const unsigned cond = w >> 28;
    if (cond == 0xf) {  // the unconditional space: only the barriers are followed
      unsigned option = (w >> 4) & 15;
      if ((w & 0xffffff00) == 0xf57ff000 && option >= 4 && option <= 6) {
        note("barrier");  // dsb, dmb, isb
        return advance();
      }
      return unknown();
    }
    if (cond != 0xe) {
      note("(conditional)");
      return stop_refusing("instruction " + hex_word(w) + at() +
                           " is conditional, and the decoder does not know the flags");
    }
    if ((w & 0x0fffff00) == 0x0320f000) {
      note("hint");
      return advance();
    }                                                              // nop, wfi, ...
    if ((w & 0x0fffffd0) == 0x012fff10) return branch_exchange();  // bx, blx
    if ((w & 0x0fb00000) == 0x03000000) return move_wide();        // movw, movt
    if ((w & 0x0e000000) == 0x02000000) return data_processing(true);
    if ((w & 0x0e000010) == 0x00000000) return data_processing(false);
    if ((w & 0x0e000000) == 0x04000000) return load_immediate();
    if ((w & 0x0e000000) == 0x0a000000) return branch_immediate();  // b, bl
    return unknown();
  }

  bool data_processing(bool immediate) {
    const uint32_t w = insn_;
    const unsigned op = (w >> 21) & 15, rn = (w >> 16) & 15, rd = (w >> 12) & 15;
    const bool sets_flags = w & (1u << 20);
    if (op >= 8 && op <= 11 && !sets_flags) return unknown();  // mrs, msr, clz, ...
    std::optional<uint32_t> operand;
    std::string operand_text;
    bool plain_register = false;
    unsigned rm = 0;
    if (immediate) {
      operand = rotate_right(w & 0xff, ((w >> 8) & 15) * 2);
      operand_text = "#" + hex(*operand);
    } else {
      rm = w & 15;
      unsigned type = (w >> 5) & 3, amount = (w >> 7) & 31;
      if (auto v = read(rm)) operand = shift_by_immediate(*v, type, amount);
      plain_register = type == 0 && amount == 0;
      operand_text = reg_name(rm);
      if (!plain_register)
        operand_text += type == 3 && amount == 0 ? ", rrx"
                                                 : ", " + std::string(kShiftNames[type]) + " #" +
                                                       std::to_string(amount ? amount : 32);
    }
    const bool is_move = op == 13 || op == 15;
    if (op >= 8 && op <= 11) {  // tst, cmp, ...: flags only; conditions are refused
      note(std::string(kDataOps[op]) + " " + reg_name(rn) + ", " + operand_text);
      return advance();
    }
    std::string text = std::string(kDataOps[op]) + (sets_flags ? "s " : " ");
    text += reg_name(rd) + ", " + (is_move ? "" : reg_name(rn) + ", ") + operand_text;
    std::optional<uint32_t> value;
    if (operand) {
      if (is_move)
        value = data_result(op, 0, *operand);
      else if (auto a = read(rn))
        value = data_result(op, *a, *operand);
    }
    if (rd == kPc) {
      note(text);
      if (sets_flags)
        return stop_refusing(text + at() +
                             " is an exception return, which the decoder "
                             "does not follow");
      if (!value) return stop_refusing(text + at() + " jumps to a value the decoder does not know");
      std::string how = text + at();
      if (op == 13 && plain_register) how += ", " + reg_name(rm) + " " + origin(rm);
      // ARMv7 interworks on data-processing writes to pc, as bx does.
      return take_branch(*value, how, true, std::nullopt);
    }
    std::string how = op == 13 && plain_register && value
                          ? "copied from " + reg_name(rm) + ", " + origin(rm)
                          : "computed by " + std::string(kDataOps[op]) + at();
    write(rd, value, how);
    note(text + (value ? "  // " + reg_name(rd) + " = " + hex(*value) : ""));
    return advance();
  }

  bool move_wide() {
    const uint32_t w = insn_;
    const unsigned rd = (w >> 12) & 15;
    const uint32_t imm = ((w >> 4) & 0xf000) | (w & 0xfff);
    const bool top = w & (1u << 22);
    if (rd == kPc) return unknown();
    std::optional<uint32_t> v = imm;
    if (top) {
      auto old = read(rd);
      v = old ? std::optional<uint32_t>((*old & 0xffff) | (imm << 16)) : std::nullopt;
    }
    write(rd, v, std::string("built by ") + (top ? "movt" : "movw") + at());
    note(std::string(top ? "movt " : "movw ") + reg_name(rd) + ", #" + hex(imm) +
         (v ? "  // " + reg_name(rd) + " = " + hex(*v) : ""));
    return advance();
  }

  bool load_immediate() {
    const uint32_t w = insn_;
    const bool pre = w & (1u << 24), up = w & (1u << 23), byte = w & (1u << 22),
               write_back_bit = w & (1u << 21), is_load = w & (1u << 20);
    const unsigned rn = (w >> 16) & 15, rt = (w >> 12) & 15;
    const uint32_t imm = w & 0xfff;
    const char* mnemonic = is_load ? (byte ? "ldrb" : "ldr") : (byte ? "strb" : "str");
    const bool writes_back = !pre || write_back_bit;
    if (!pre && write_back_bit) return unknown();  // ldrt, strt: unprivileged accesses
    if (writes_back && (rn == kPc || rn == rt)) return unknown();
    if (byte && rt == kPc) return unknown();
    std::string offset = std::string("#") + (up ? "" : "-") + hex(imm);
    std::string text = std::string(mnemonic) + " " + reg_name(rt) + ", [" + reg_name(rn) +
                       (pre ? ", " + offset + "]" + (write_back_bit ? "!" : "") : "], " + offset);
    auto base = read(rn);
    if (!base) {
      note(text + "  // base unknown");
      if (!is_load)
        return stop_refusing(text + at() + " stores through " + reg_name(rn) +
                             ", whose value is unknown, so it may change the code");
      if (rt == kPc)
        return stop_refusing(text + at() + " loads pc through " + reg_name(rn) +
                             ", whose value is unknown");
      write(rt, std::nullopt, "loaded through an unknown base" + at());
      return advance();
    }
    const uint32_t offset_address = up ? *base + imm : *base - imm;
    const uint32_t address = pre ? offset_address : *base;
    if (writes_back) write(rn, offset_address, "written back by " + text + at());
    if (!is_load) {
      // Board setup writes device registers; only a store into the code matters.
      note(text + "  // to " + hex(address));
      if (code_.contains(address, 1) || code_.contains(address + (byte ? 0 : 3), 1))
        return stop_refusing(text + at() + " stores to " + hex(address) +
                             ", inside the bytes read");
      return advance();
    }
    auto loaded = code_.read_le(address, byte ? 1 : 4);
    if (rt == kPc) {
      note(text +
           (loaded ? "  // pc = " + hex(*loaded) : "  // " + hex(address) + " was not read"));
      if (!loaded)
        return stop_refusing(text + at() + " loads pc from " + hex(address) +
                             ", outside the bytes read");
      return take_branch(uint32_t(*loaded), text + at() + ", from the word at " + hex(address),
                         true, std::nullopt);
    }
    std::optional<uint32_t> value;
    if (loaded) value = uint32_t(*loaded);
    write(rt, value, "loaded from " + hex(address));
    note(text + (value ? "  // " + reg_name(rt) + " = " + hex(*value)
                       : "  // " + hex(address) + " was not read"));
    return advance();
  }

  bool branch_immediate() {
    const bool link = insn_ & (1u << 24);
    const uint32_t target = uint32_t(pc_ + 8 + uint64_t(sign_extend(insn_ & 0xffffff, 24) * 4));
    note(std::string(link ? "bl " : "b ") + hex(target));
    std::optional<uint32_t> return_address;
    if (link) return_address = uint32_t(pc_ + 4);
    return take_branch(target, std::string(link ? "bl" : "b") + at(), false, return_address);
  }

  bool branch_exchange() {
    const bool link = insn_ & (1u << 5);
    const unsigned rm = insn_ & 15;
    const std::string mnemonic = std::string(link ? "blx " : "bx ") + reg_name(rm);
    note(mnemonic);
    auto target = read(rm);
    if (!target)
      return stop_refusing(mnemonic + at() + " jumps through " + reg_name(rm) +
                           ", whose value is unknown");
    std::optional<uint32_t> return_address;
    if (link) return_address = uint32_t(pc_ + 4);
    return take_branch(*target, mnemonic + at() + ", " + reg_name(rm) + " " + origin(rm), true,
                       return_address);
  }

  // Follows a branch inside the bytes read, steps over a call that returns
  // into them, and otherwise stops: the target is where control goes.
  bool take_branch(uint32_t target, const std::string& how, bool exchange,
                   std::optional<uint32_t> link) {
    const bool thumb = exchange && (target & 1);
    if (thumb) target &= ~1u;
    const std::optional<uint32_t> return_address = link ? link : call_return_;
    if (code_.contains(target, 4)) {
      if (thumb)
        return stop_refusing(how + " switches to Thumb code at " + hex(target) +
                             ", which the decoder does not follow");
      if (target & 3)
        return stop_refusing(how + " jumps to " + hex(target) + ", which is not word aligned");
      if (link) write(kLr, *link, "set by " + how);
      return jump(target);
    }
    if (return_address && code_.contains(*return_address, 4)) {
      // Board-setup code returns as an AAPCS subroutine: caller-saved registers are lost.
      for (unsigned reg : {0u, 1u, 2u, 3u, 12u, kLr}) write(reg, std::nullopt, "");
      result_.listing.back() += "  // calls " + hex(target) + ", taken to return to " +
                                hex(*return_address) + " with r0-r3, r12, lr unknown";
      return jump(*return_address);
    }
    return stop_at(target, how + (thumb ? ", into Thumb code" : ""));
  }

  Registers regs_;
  std::optional<uint32_t> call_return_, next_call_return_;
};

}  // namespace

BootEntry decode_arm_boot(std::string_view bytes, uint64_t address) {
  return Decoder(bytes, address).run();
}

}  // namespace kut
