#include "boot_riscv.h"

#include <array>
#include <optional>

#include "decoder_base.h"

namespace kut {

namespace {

constexpr unsigned kA2 = 12;
constexpr uint64_t kFwDynamicMagic = 0x4942534f;  // "OSBI"
constexpr uint64_t kFwDynamicVersionMax = 2;      // OpenSBI's FW_DYNAMIC_INFO_VERSION_MAX

const char* const kRegNames[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                   "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                   "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                   "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
const char* const kFieldNames[6] = {"magic",     "version", "next_addr",
                                    "next_mode", "options", "boot_hart"};

std::string reg_name(unsigned reg) { return kRegNames[reg & 31]; }

std::string mode_name(uint64_t mode) {
  switch (mode) {
    case 0: return "U-mode";
    case 1: return "S-mode";
    case 3: return "M-mode";
    default: return "mode " + std::to_string(mode);
  }
}

class Decoder : DecoderBase {
 public:
  Decoder(std::string_view bytes, uint64_t address, unsigned xlen)
      : DecoderBase(bytes, address), xlen_(xlen) {}

  BootEntry run() {
    if (xlen_ != 32 && xlen_ != 64)
      return refuse("xlen " + std::to_string(xlen_) + " is neither 32 nor 64");
    pc_ = mask(pc_);
    return walk([this] { return step_one(); }, "a jump");
  }

 private:
  uint64_t mask(uint64_t v) const { return xlen_ == 32 ? v & 0xffffffffu : v; }
  // A 32-bit result as an xlen register holds it: sign-extended on RV64.
  uint64_t from_word(uint64_t v) const { return mask(uint64_t(sign_extend(v, 32))); }

  // The base's advance(), with the pc wrapped at xlen.
  bool advance() {
    pc_ = mask(pc_ + 4);
    return true;
  }

  std::optional<uint64_t> read(unsigned reg) const {
    return reg == 0 ? std::optional<uint64_t>(0) : value_[reg];
  }
  void write(unsigned reg, std::optional<uint64_t> v, std::string how) {
    if (reg == 0) return;
    value_[reg] = v ? std::optional<uint64_t>(mask(*v)) : std::nullopt;
    origin_[reg] = std::move(how);
  }
  std::string shown(unsigned reg) const {
    auto v = read(reg);
    return v && reg ? "  // " + reg_name(reg) + " = " + hex(*v) : "";
  }

  bool step_one() {
    const uint32_t w = insn_;
    if ((w & 3) != 3) {
      note("(compressed)");
      return stop_refusing("instruction " + hex_word(w & 0xffff) + at() +
                           " is compressed, which the decoder does not follow");
    }
    const unsigned rd = (w >> 7) & 31, funct3 = (w >> 12) & 7, rs1 = (w >> 15) & 31,
                   rs2 = (w >> 20) & 31;
    const int64_t imm_i = sign_extend(w >> 20, 12);
    switch (w & 0x7f) {
      case 0x37:    // lui
      case 0x17: {  // auipc
        const bool pc_relative = (w & 0x7f) == 0x17;
        uint64_t upper = uint64_t(sign_extend(w & 0xfffff000u, 32));
        write(rd, pc_relative ? pc_ + upper : upper,
              std::string("computed by ") + (pc_relative ? "auipc" : "lui") + at());
        note(std::string(pc_relative ? "auipc " : "lui ") + reg_name(rd) + ", " + hex(w >> 12) +
             shown(rd));
        return advance();
      }
      case 0x13: return immediate_op(rd, funct3, rs1, imm_i, false);
      case 0x1b: return xlen_ == 64 ? immediate_op(rd, funct3, rs1, imm_i, true) : unknown();
      case 0x33: return register_op(rd, funct3, rs1, rs2, w >> 25);
      case 0x03: return load(rd, funct3, rs1, imm_i);
      case 0x23:
        note("(store)");
        return stop_refusing("the store" + at() +
                             " writes memory, which the decoder "
                             "does not follow");
      case 0x0f: note("fence"); return advance();
      case 0x73:
        if (funct3 == 0 || funct3 == 4) return unknown();  // ecall, wfi, mret, ...
        // A csr's value is not in the bytes read (csrr a0, mhartid).
        return csr_access(rd, funct3, rs1, w >> 20);
      case 0x6f: {  // jal
        int64_t offset = sign_extend(((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 |
                                         ((w >> 20) & 1) << 11 | ((w >> 21) & 0x3ff) << 1,
                                     21);
        uint64_t target = mask(pc_ + uint64_t(offset));
        note((rd ? "jal " + reg_name(rd) + ", " : std::string("j ")) + hex(target));
        return jump(target, rd, (rd ? "jal" : "j") + at());
      }
      case 0x67: {  // jalr
        if (funct3 != 0) return unknown();
        std::string text =
            rd == 0 && imm_i == 0
                ? "jr " + reg_name(rs1)
                : "jalr " + reg_name(rd) + ", " + std::to_string(imm_i) + "(" + reg_name(rs1) + ")";
        note(text);
        auto base = read(rs1);
        if (!base)
          return stop_refusing(text + at() + " jumps through " + reg_name(rs1) +
                               ", whose value is unknown");
        return jump(mask(*base + uint64_t(imm_i)) & ~uint64_t(1), rd, text + at());
      }
      case 0x63:
        note("(branch)");
        return stop_refusing("the conditional branch" + at() +
                             " depends on values the decoder does not follow");
      default: return unknown();
    }
  }

  bool csr_access(unsigned rd, unsigned funct3, unsigned rs1, uint32_t csr) {
    static const char* const names[8] = {"", "csrrw",  "csrrs",  "csrrc",
                                         "", "csrrwi", "csrrsi", "csrrci"};
    const std::string csr_name = csr == 0xf14 ? "mhartid" : hex(csr);
    write(rd, std::nullopt, "read from " + csr_name + at());
    if (funct3 == 2 && rs1 == 0)
      note("csrr " + reg_name(rd) + ", " + csr_name);
    else
      note(std::string(names[funct3]) + " " + reg_name(rd) + ", " + csr_name + ", " +
           (funct3 > 4 ? std::to_string(rs1) : reg_name(rs1)));
    return advance();
  }

  bool immediate_op(unsigned rd, unsigned funct3, unsigned rs1, int64_t imm, bool word_op) {
    const unsigned shamt_bits = word_op || xlen_ == 32 ? 5 : 6;
    const uint64_t shamt = uint64_t(imm) & ((1u << shamt_bits) - 1);
    const uint64_t upper = (uint64_t(imm) & 0xfff) >> shamt_bits;  // funct6/funct7 of a shift
    auto a = read(rs1);
    std::optional<uint64_t> v;
    std::string name;
    switch (funct3) {
      case 0:
        name = "addi";
        if (a) v = *a + uint64_t(imm);
        break;
      case 4:
        if (word_op) return unknown();
        name = "xori";
        if (a) v = *a ^ uint64_t(imm);
        break;
      case 6:
        if (word_op) return unknown();
        name = "ori";
        if (a) v = *a | uint64_t(imm);
        break;
      case 7:
        if (word_op) return unknown();
        name = "andi";
        if (a) v = *a & uint64_t(imm);
        break;
      case 1:
        if (upper != 0) return unknown();
        name = "slli";
        if (a) v = *a << shamt;
        break;
      case 5: {
        const bool arithmetic = upper == (0x400u >> shamt_bits);
        if (upper != 0 && !arithmetic) return unknown();
        name = arithmetic ? "srai" : "srli";
        if (a) {
          uint64_t x = word_op ? *a & 0xffffffffu : *a;
          unsigned width = word_op || xlen_ == 32 ? 32 : 64;
          v = arithmetic ? uint64_t(sign_extend(x, width) >> shamt) : x >> shamt;
        }
        break;
      }
      default: return unknown();  // slti, sltiu
    }
    if (word_op) {
      name += "w";
      if (v) v = from_word(*v);
    }
    const bool is_move = funct3 == 0 && !word_op && imm == 0;
    write(rd, v,
          is_move && v && rs1 ? "copied from " + reg_name(rs1) + ", " + origin_[rs1]
                              : "computed by " + name + at());
    if (is_move && rd == 0 && rs1 == 0)
      note("nop");
    else if (is_move)
      note("mv " + reg_name(rd) + ", " + reg_name(rs1) + shown(rd));
    else if (funct3 == 0 && !word_op && rs1 == 0)
      note("li " + reg_name(rd) + ", " + std::to_string(imm));
    else
      note(name + " " + reg_name(rd) + ", " + reg_name(rs1) + ", " + std::to_string(imm) +
           shown(rd));
    return advance();
  }

  bool register_op(unsigned rd, unsigned funct3, unsigned rs1, unsigned rs2, unsigned funct7) {
    const char* name = nullptr;
    if (funct7 == 0x20 && funct3 == 0) name = "sub";
    if (funct7 == 0)
      name = funct3 == 0   ? "add"
             : funct3 == 4 ? "xor"
             : funct3 == 6 ? "or"
             : funct3 == 7 ? "and"
                           : nullptr;
    if (!name) return unknown();
    auto a = read(rs1), b = read(rs2);
    std::optional<uint64_t> v;
    if (a && b) {
      switch (funct3) {
        case 0: v = funct7 ? *a - *b : *a + *b; break;
        case 4: v = *a ^ *b; break;
        case 6: v = *a | *b; break;
        default: v = *a & *b; break;
      }
    }
    const bool is_move = funct3 == 0 && funct7 == 0 && (rs1 == 0 || rs2 == 0);
    unsigned source = rs1 == 0 ? rs2 : rs1;
    write(rd, v,
          is_move && v ? "copied from " + reg_name(source) + ", " + origin_[source]
                       : std::string("computed by ") + name + at());
    note(std::string(name) + " " + reg_name(rd) + ", " + reg_name(rs1) + ", " + reg_name(rs2) +
         shown(rd));
    return advance();
  }

  bool load(unsigned rd, unsigned funct3, unsigned rs1, int64_t imm) {
    static const char* const names[8] = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", nullptr};
    const unsigned size = 1u << (funct3 & 3);
    if (!names[funct3] || (xlen_ == 32 && (funct3 == 3 || funct3 == 6))) return unknown();
    const bool is_signed = funct3 < 4;
    std::string text = std::string(names[funct3]) + " " + reg_name(rd) + ", " +
                       std::to_string(imm) + "(" + reg_name(rs1) + ")";
    auto base = read(rs1);
    if (!base) {
      write(rd, std::nullopt, "loaded through an unknown base" + at());
      note(text + "  // base unknown");
      return advance();
    }
    const uint64_t address = mask(*base + uint64_t(imm));
    auto v = code_.read_le(address, size);
    if (v && is_signed && size < 8) v = uint64_t(sign_extend(*v, size * 8));
    write(rd, v, "loaded from " + hex(address));
    note(text + (v ? shown(rd) : "  // " + hex(address) + " was not read"));
    return advance();
  }

  // Follows a jump inside the bytes read; one that leaves them enters the firmware.
  bool jump(uint64_t target, unsigned link_reg, const std::string& how) {
    const uint64_t return_address = mask(pc_ + 4);
    if (code_.contains(target, 4)) {
      write(link_reg, return_address, "set by " + how);
      pc_ = target;
      return true;
    }
    return read_firmware_info(target, how);
  }

  bool read_firmware_info(uint64_t firmware, const std::string& how) {
    const std::string handover = how + " enters the firmware at " + hex(firmware);
    auto info = read(kA2);
    if (!info)
      return stop_refusing(handover + " with a2 " +
                           (origin_[kA2].empty() ? "never set" : "unknown (" + origin_[kA2] + ")") +
                           ", so it passes no fw_dynamic_info to read the next stage from");
    const uint64_t base = *info, word = xlen_ / 8;
    const std::string where = "fw_dynamic_info at " + hex(base);
    std::array<uint64_t, 6> field{};
    auto read_field = [&](unsigned index) {
      auto v = code_.read_le(base + index * word, unsigned(word));
      if (!v) return false;
      field[index] = *v;
      result_.listing.push_back(hex(base + index * word) + ": " + kFieldNames[index] + " " +
                                hex(*v));
      return true;
    };
    auto past_end = [&]() {
      return stop_refusing(handover + "; " + where + " (a2, " + origin_[kA2] +
                           ") lies outside the " + std::to_string(code_.size()) +
                           " bytes read at " + hex(code_.base()));
    };
    if (!read_field(0)) return past_end();
    if (field[0] != kFwDynamicMagic)
      return stop_refusing(handover + "; " + where + " has magic " + hex(field[0]) +
                           ", not OpenSBI's " + hex(kFwDynamicMagic) + " (\"OSBI\")");
    if (!read_field(1)) return past_end();
    if (field[1] < 1 || field[1] > kFwDynamicVersionMax)
      return stop_refusing(handover + "; " + where + " has version " + hex(field[1]) +
                           ", which OpenSBI does not define (1 to " +
                           std::to_string(kFwDynamicVersionMax) + ")");
    const unsigned fields = field[1] >= 2 ? 6 : 5;  // version 2 added boot_hart
    for (unsigned index = 2; index < fields; ++index)
      if (!read_field(index)) return past_end();
    result_.found = true;
    result_.entry = field[2];
    const std::string info_at = "the fw_dynamic_info at a2 = " + hex(base);
    // Without firmware (-bios none) QEMU jumps to the image itself, in M-mode.
    result_.method = firmware == field[2]
                         ? how + " jumps straight to " + hex(firmware) + ", the next stage " +
                               info_at + " names too"
                         : handover + ", and " + info_at + " names " + hex(field[2]) +
                               " as the next stage, in " + mode_name(field[3]);
    return false;
  }

  unsigned xlen_;
  std::array<std::optional<uint64_t>, 32> value_;
  std::array<std::string, 32> origin_;
};

}  // namespace

BootEntry decode_riscv_boot(std::string_view bytes, uint64_t address, unsigned xlen) {
  return Decoder(bytes, address, xlen).run();
}

}  // namespace kut
