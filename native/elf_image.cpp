#include "elf_image.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Object/ELF.h>
#include <llvm/Object/ELFTypes.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>

namespace kut {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ElfError(path + ": " + what);
}

template <class T>
T take(llvm::Expected<T> value, const std::string& path) {
  if (!value) fail(path, llvm::toString(value.takeError()));
  return std::move(*value);
}

std::string to_hex(llvm::ArrayRef<uint8_t> bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : bytes) {
    hex += digits[byte >> 4];
    hex += digits[byte & 15];
  }
  return hex;
}

// .gnu_debuglink holds a NUL-terminated file name, padding to 4, then a CRC32.
void read_debuglink(llvm::ArrayRef<uint8_t> contents, bool little_endian, DebugInfo& debug) {
  size_t name_end = 0;
  while (name_end < contents.size() && contents[name_end] != 0) ++name_end;
  size_t crc_at = (name_end + 4) & ~size_t(3);
  if (name_end == 0 || name_end >= contents.size() || crc_at + 4 > contents.size()) return;
  debug.debuglink.assign(reinterpret_cast<const char*>(contents.data()), name_end);
  const uint8_t* crc = contents.data() + crc_at;
  debug.debuglink_crc = little_endian ? uint32_t(crc[0]) | uint32_t(crc[1]) << 8 |
                                            uint32_t(crc[2]) << 16 | uint32_t(crc[3]) << 24
                                      : uint32_t(crc[3]) | uint32_t(crc[2]) << 8 |
                                            uint32_t(crc[1]) << 16 | uint32_t(crc[0]) << 24;
}

// LLVM 12 changed ELFFile's header and section arguments from pointers to
// references; these two keep one body for LLVM 11 (Debian 11) and later.
template <class Header>
const Header& deref(const Header& header) {
  return header;
}
template <class Header>
const Header& deref(const Header* header) {
  return *header;
}

#if LLVM_VERSION_MAJOR >= 12
template <class Shdr>
const Shdr& section_arg(const Shdr& shdr) {
  return shdr;
}
#else
template <class Shdr>
const Shdr* section_arg(const Shdr& shdr) {
  return &shdr;
}
#endif

}  // namespace

bool Section::allocated() const { return flags & llvm::ELF::SHF_ALLOC; }
bool Section::has_contents() const { return type != llvm::ELF::SHT_NOBITS; }
bool Section::executable() const { return flags & llvm::ELF::SHF_EXECINSTR; }
bool Section::writable() const { return flags & llvm::ELF::SHF_WRITE; }

ElfImage::ElfImage(std::unique_ptr<llvm::MemoryBuffer> buffer, std::string path)
    : buffer_(std::move(buffer)), path_(std::move(path)) {
  llvm::StringRef data = buffer_->getBuffer();
  if (data.size() < llvm::ELF::EI_NIDENT || data.substr(0, 4) != llvm::ELF::ElfMagic)
    fail(path_, "not an ELF file (no ELF magic at its start)");
  unsigned char elf_class = data[llvm::ELF::EI_CLASS];
  unsigned char encoding = data[llvm::ELF::EI_DATA];
  bool is64 = elf_class == llvm::ELF::ELFCLASS64;
  bool is_little = encoding == llvm::ELF::ELFDATA2LSB;
  if (!is64 && elf_class != llvm::ELF::ELFCLASS32) fail(path_, "unknown ELF class");
  if (!is_little && encoding != llvm::ELF::ELFDATA2MSB) fail(path_, "unknown ELF data encoding");
  if (is64)
    is_little ? parse<llvm::object::ELF64LE>() : parse<llvm::object::ELF64BE>();
  else
    is_little ? parse<llvm::object::ELF32LE>() : parse<llvm::object::ELF32BE>();
}

ElfImage::ElfImage(const std::string& path)
    : ElfImage(
          [&] {
#if LLVM_VERSION_MAJOR >= 13
            auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                                      /*RequiresNullTerminator=*/false);
#else  // the second parameter was the file size, and false would read 0 bytes
            auto buffer = llvm::MemoryBuffer::getFile(path, /*FileSize=*/-1,
                                                      /*RequiresNullTerminator=*/false);
#endif
            if (!buffer) fail(path, buffer.getError().message());
            return std::move(*buffer);
          }(),
          path) {
}

ElfImage ElfImage::from_bytes(const std::string& bytes, const std::string& name) {
  return ElfImage(llvm::MemoryBuffer::getMemBufferCopy(bytes, name), name);
}

ElfImage::ElfImage(ElfImage&&) noexcept = default;
ElfImage& ElfImage::operator=(ElfImage&&) noexcept = default;
ElfImage::~ElfImage() = default;

template <class ELFT>
void ElfImage::parse() {
  using namespace llvm;
  auto file = take(object::ELFFile<ELFT>::create(buffer_->getBuffer()), path_);
  const auto& header = deref(file.getHeader());
  machine_ = header.e_machine;
  bits_ = ELFT::Is64Bits ? 64 : 32;
  little_endian_ = header.e_ident[ELF::EI_DATA] == ELF::ELFDATA2LSB;
  type_ = header.e_type;
  entry_ = header.e_entry;

  // Named ranges, not temporaries: gcc 13 and later warn of references into a temporary.
  auto program_headers = take(file.program_headers(), path_);
  for (const auto& phdr : program_headers) {
    segments_.push_back({uint32_t(phdr.p_type), uint32_t(phdr.p_flags), uint64_t(phdr.p_offset),
                         uint64_t(phdr.p_vaddr), uint64_t(phdr.p_paddr), uint64_t(phdr.p_filesz),
                         uint64_t(phdr.p_memsz)});
  }

  auto headers = take(file.sections(), path_);
  sections_.reserve(headers.size());
  unsigned index = 0;
  for (const auto& shdr : headers) {
    Section section;
    section.index = index++;
    section.name = std::string(take(file.getSectionName(section_arg(shdr)), path_));
    section.type = shdr.sh_type;
    section.flags = shdr.sh_flags;
    section.address = shdr.sh_addr;
    section.size = shdr.sh_size;
    section.offset = shdr.sh_offset;
    // Fail now, not at first use, when a section's bytes lie outside the file.
    auto contents = section.has_contents() ? take(file.getSectionContents(section_arg(shdr)), path_)
                                           : ArrayRef<uint8_t>();
    StringRef name = section.name;
    if ((name == ".debug_info" || name == ".zdebug_info") && section.size > 0)
      debug_.has_dwarf = true;
    if (name == ".gnu_debuglink") read_debuglink(contents, little_endian_, debug_);
    if (shdr.sh_type == ELF::SHT_NOTE) {
      Error note_error = Error::success();
      for (const auto& note : file.notes(shdr, note_error)) {
        if (note.getType() == ELF::NT_GNU_BUILD_ID && note.getName() == "GNU")
#if LLVM_VERSION_MAJOR >= 17  // the descriptor's alignment became explicit; notes() uses this one
          debug_.build_id = to_hex(note.getDesc(std::max<size_t>(shdr.sh_addralign, 4)));
#else
          debug_.build_id = to_hex(note.getDesc());
#endif
      }
      if (note_error) fail(path_, toString(std::move(note_error)));
    }
    if ((shdr.sh_type == ELF::SHT_SYMTAB || shdr.sh_type == ELF::SHT_DYNSYM) &&
        shdr.sh_size >= sizeof(typename ELFT::Sym) * 2)
      has_symbols_ = true;
    if (shdr.sh_flags & ELF::SHF_ALLOC) {
      if (shdr.sh_type == ELF::SHT_RELA) {
        auto relas = take(file.relas(section_arg(shdr)), path_);
        for (const auto& rela : relas) relocated_.push_back(rela.r_offset);
      }
      if (shdr.sh_type == ELF::SHT_REL) {
        auto rels = take(file.rels(section_arg(shdr)), path_);
        for (const auto& rel : rels) relocated_.push_back(rel.r_offset);
      }
    }
    sections_.push_back(std::move(section));
  }
  std::sort(relocated_.begin(), relocated_.end());
  // The buffer is owned on the heap, so the file view stays valid when *this moves.
  find_symbol_ = [file, headers](const std::string& wanted) -> std::optional<Symbol> {
    for (unsigned type : {ELF::SHT_SYMTAB, ELF::SHT_DYNSYM}) {
      for (const auto& shdr : headers) {
        if (shdr.sh_type != type) continue;
        auto symbols = file.symbols(&shdr);
        auto names = file.getStringTableForSymtab(shdr, headers);
        if (!symbols || !names) {
          consumeError(symbols.takeError());
          consumeError(names.takeError());
          continue;
        }
        for (const auto& symbol : *symbols) {
          auto name = symbol.getName(*names);
          if (!name) {
            consumeError(name.takeError());
            continue;
          }
          if (*name == wanted && symbol.st_shndx != ELF::SHN_UNDEF)
            return Symbol{wanted, uint64_t(symbol.st_value), uint64_t(symbol.st_size)};
        }
      }
    }
    return std::nullopt;
  };
}

std::optional<Symbol> ElfImage::find_symbol(const std::string& name) const {
  return find_symbol_ ? find_symbol_(name) : std::nullopt;
}

std::vector<uint64_t> ElfImage::relocated_between(uint64_t start, uint64_t end) const {
  auto first = std::lower_bound(relocated_.begin(), relocated_.end(), start);
  auto last = std::lower_bound(first, relocated_.end(), std::max(start, end));
  return std::vector<uint64_t>(first, last);
}

std::string ElfImage::section_bytes(unsigned index, uint64_t offset, uint64_t length) const {
  if (index >= sections_.size()) fail(path_, "no section with index " + std::to_string(index));
  const Section& section = sections_[index];
  if (!section.has_contents())
    fail(path_, "section '" + section.name + "' occupies no space in the file");
  llvm::StringRef data = buffer_->getBuffer();
  // parse() checked this range already; check again so no caller can overrun.
  if (section.offset > data.size() || section.size > data.size() - section.offset)
    fail(path_, "section '" + section.name + "' lies past the end of the file");
  if (offset > section.size)
    fail(path_,
         "offset " + std::to_string(offset) + " is past the end of section '" + section.name + "'");
  uint64_t available = section.size - offset;
  return data.substr(section.offset + offset, std::min(length, available)).str();
}

}  // namespace kut
