// Fuzzes the ELF reader with every accessor kut-load calls on an image that
// parsed. ElfError is the only exception allowed out of it, and a section
// that parsed with contents must be readable, whole or in slices.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "elf_image.h"

namespace {

[[noreturn]] void broken(const char* what, const kut::Section& section) {
  std::fprintf(stderr, "section %u '%s': %s\n", section.index, section.name.c_str(), what);
  std::abort();
}

// section_bytes(index, offset, length) gives min(length, size - offset)
// bytes, and refuses an offset past the section's end.
void read_slice(const kut::ElfImage& image, const kut::Section& section, uint64_t offset,
                uint64_t length) {
  bool past_end = offset > section.size;
  try {
    std::string bytes = image.section_bytes(section.index, offset, length);
    if (past_end) broken("a slice past the end was read", section);
    if (bytes.size() != std::min(length, section.size - offset))
      broken("a slice of the wrong length", section);
  } catch (const kut::ElfError&) {
    if (!past_end) broken("parsed, but a slice inside it cannot be read", section);
  }
}

void read_every_section(const kut::ElfImage& image) {
  for (const kut::Section& section : image.sections()) {
    if (!section.has_contents()) {
      try {
        image.section_bytes(section.index);
        broken("bytes returned for a section without contents", section);
      } catch (const kut::ElfError&) {
      }
      continue;
    }
    read_slice(image, section, 0, UINT64_MAX);
    read_slice(image, section, section.size / 2, 7);
    read_slice(image, section, section.size, 1);
    read_slice(image, section, section.size + 1, 1);
    read_slice(image, section, UINT64_MAX, UINT64_MAX);
  }
  try {
    image.section_bytes(unsigned(image.sections().size()));
    std::fprintf(stderr, "a section index past the last one was read\n");
    std::abort();
  } catch (const kut::ElfError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    kut::ElfImage parsed = kut::ElfImage::from_bytes(bytes, "fuzz.elf");
    // The bindings move the image into a Python object before any use.
    kut::ElfImage image = std::move(parsed);
    // Keep the accessors' work from being optimised away.
    volatile size_t seen = image.machine() + image.debug_info().debuglink.size() +
                           image.debug_info().build_id.size() + image.segments().size() +
                           image.relocated_addresses().size() + image.has_symbols() +
                           image.relocated_between(0x1000, 0x2000).size() +
                           image.relocated_between(UINT64_MAX, 0).size();
    for (const char* name : {"main", "_start", ""}) {
      if (auto symbol = image.find_symbol(name)) seen = seen + symbol->address;
    }
    for (const kut::Section& section : image.sections())
      seen = seen + section.allocated() + section.executable() + section.writable();
    (void)seen;
    read_every_section(image);
  } catch (const kut::ElfError&) {
  }
  return 0;
}
