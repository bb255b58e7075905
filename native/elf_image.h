// ELF reader: what kut-load needs to know about a test image, read with
// LLVM's Object library. Every failure is thrown as ElfError carrying the
// file name and LLVM's message; nothing here aborts or exits.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace llvm {
class MemoryBuffer;
}

namespace kut {

class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Section {
  unsigned index = 0;
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t offset = 0;

  bool allocated() const;     // SHF_ALLOC: part of the running image
  bool has_contents() const;  // not SHT_NOBITS: bytes in the file
  bool executable() const;    // SHF_EXECINSTR
  bool writable() const;      // SHF_WRITE
};

struct Segment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t virtual_address = 0;
  uint64_t physical_address = 0;
  uint64_t file_size = 0;
  uint64_t memory_size = 0;
};

struct Symbol {
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
};

// Where the DWARF is: in the file, or named by .gnu_debuglink / build-id.
struct DebugInfo {
  bool has_dwarf = false;
  std::string debuglink;  // file name from .gnu_debuglink, or ""
  uint32_t debuglink_crc = 0;
  std::string build_id;  // lower-case hex from NT_GNU_BUILD_ID, or ""
};

class ElfImage {
 public:
  // Reads the file at path. Throws ElfError for anything that is not a
  // well-formed ELF file.
  explicit ElfImage(const std::string& path);
  // Parses bytes already in memory; name is used in messages only.
  static ElfImage from_bytes(const std::string& bytes, const std::string& name);

  ElfImage(ElfImage&&) noexcept;
  ElfImage& operator=(ElfImage&&) noexcept;
  ~ElfImage();

  const std::string& path() const { return path_; }
  uint16_t machine() const { return machine_; }  // e_machine; named by python/kut_load/arches.py
  unsigned bits() const { return bits_; }        // 32 or 64
  bool little_endian() const { return little_endian_; }
  uint16_t type() const { return type_; }  // ET_EXEC, ET_DYN, ...
  uint64_t entry() const { return entry_; }
  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const DebugInfo& debug_info() const { return debug_; }

  // The first symbol in .symtab (then .dynsym) with this name.
  std::optional<Symbol> find_symbol(const std::string& name) const;
  // Whether the file has a non-empty symbol table.
  bool has_symbols() const { return has_symbols_; }
  // Link addresses the image's dynamic relocations rewrite at run time (the
  // r_offset of every entry in allocated SHT_REL/SHT_RELA sections), ascending.
  const std::vector<uint64_t>& relocated_addresses() const { return relocated_; }
  // Those of relocated_addresses() in [start, end): a test has hundreds.
  std::vector<uint64_t> relocated_between(uint64_t start, uint64_t end) const;

  // Up to length file bytes of one section, from offset into it (fewer at
  // its end). Throws ElfError for SHT_NOBITS sections, an offset past the
  // section's end, and contents outside the file.
  std::string section_bytes(unsigned index, uint64_t offset = 0,
                            uint64_t length = UINT64_MAX) const;

 private:
  ElfImage(std::unique_ptr<llvm::MemoryBuffer> buffer, std::string path);
  template <class ELFT>
  void parse();

  std::unique_ptr<llvm::MemoryBuffer> buffer_;
  std::string path_;
  uint16_t machine_ = 0;
  unsigned bits_ = 0;
  bool little_endian_ = true;
  uint16_t type_ = 0;
  uint64_t entry_ = 0;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
  DebugInfo debug_;
  bool has_symbols_ = false;
  std::vector<uint64_t> relocated_;
  std::function<std::optional<Symbol>(const std::string&)> find_symbol_;
};

}  // namespace kut
