// Python bindings of the native helper; nothing but bindings here.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "boot_aarch64.h"
#include "boot_arm.h"
#include "boot_riscv.h"
#include "elf_image.h"

namespace py = pybind11;

namespace {

std::string_view view(const py::bytes& data) {
  char* buffer = nullptr;
  Py_ssize_t length = 0;
  if (PyBytes_AsStringAndSize(data.ptr(), &buffer, &length) != 0) throw py::error_already_set();
  return std::string_view(buffer, size_t(length));
}

// Names from the file need not be UTF-8: undecodable bytes show as \xNN.
py::str text(const std::string& bytes) {
  PyObject* decoded =
      PyUnicode_DecodeUTF8(bytes.data(), Py_ssize_t(bytes.size()), "backslashreplace");
  if (!decoded) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(decoded);
}

}  // namespace

PYBIND11_MODULE(_kut_native, m) {
  m.doc() = "kut-load's native helper: ELF reader and boot-code decoders";

  py::register_exception<kut::ElfError>(m, "ElfError", PyExc_ValueError);

  py::class_<kut::Section>(m, "Section")
      .def_readonly("index", &kut::Section::index)
      .def_property_readonly("name", [](const kut::Section& s) { return text(s.name); })
      .def_readonly("type", &kut::Section::type)
      .def_readonly("flags", &kut::Section::flags)
      .def_readonly("address", &kut::Section::address)
      .def_readonly("size", &kut::Section::size)
      .def_readonly("offset", &kut::Section::offset)
      .def_property_readonly("allocated", &kut::Section::allocated)
      .def_property_readonly("has_contents", &kut::Section::has_contents)
      .def_property_readonly("executable", &kut::Section::executable)
      .def_property_readonly("writable", &kut::Section::writable)
      .def("__repr__", [](const kut::Section& s) {
        return "<Section " + s.name + " at " + std::to_string(s.address) + ">";
      });

  py::class_<kut::Segment>(m, "Segment")
      .def_readonly("type", &kut::Segment::type)
      .def_readonly("flags", &kut::Segment::flags)
      .def_readonly("offset", &kut::Segment::offset)
      .def_readonly("virtual_address", &kut::Segment::virtual_address)
      .def_readonly("physical_address", &kut::Segment::physical_address)
      .def_readonly("file_size", &kut::Segment::file_size)
      .def_readonly("memory_size", &kut::Segment::memory_size);

  py::class_<kut::Symbol>(m, "Symbol")
      .def_property_readonly("name", [](const kut::Symbol& s) { return text(s.name); })
      .def_readonly("address", &kut::Symbol::address)
      .def_readonly("size", &kut::Symbol::size);

  py::class_<kut::DebugInfo>(m, "DebugInfo")
      .def_readonly("has_dwarf", &kut::DebugInfo::has_dwarf)
      .def_property_readonly("debuglink", [](const kut::DebugInfo& d) { return text(d.debuglink); })
      .def_readonly("debuglink_crc", &kut::DebugInfo::debuglink_crc)
      .def_readonly("build_id", &kut::DebugInfo::build_id);

  py::class_<kut::ElfImage>(m, "ElfImage")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def_static(
          "from_bytes",
          [](const py::bytes& data, const std::string& name) {
            return kut::ElfImage::from_bytes(std::string(view(data)), name);
          },
          py::arg("data"), py::arg("name") = "<bytes>")
      .def_property_readonly("path", &kut::ElfImage::path)
      .def_property_readonly("machine", &kut::ElfImage::machine)
      .def_property_readonly("bits", &kut::ElfImage::bits)
      .def_property_readonly("little_endian", &kut::ElfImage::little_endian)
      .def_property_readonly("type", &kut::ElfImage::type)
      .def_property_readonly("entry", &kut::ElfImage::entry)
      .def_property_readonly("sections", &kut::ElfImage::sections)
      .def_property_readonly("segments", &kut::ElfImage::segments)
      .def_property_readonly("debug_info", &kut::ElfImage::debug_info)
      .def_property_readonly("has_symbols", &kut::ElfImage::has_symbols)
      .def_property_readonly("relocated_addresses", &kut::ElfImage::relocated_addresses)
      .def("relocated_between", &kut::ElfImage::relocated_between, py::arg("start"), py::arg("end"),
           "Link addresses in [start, end) that relocations rewrite, ascending.")
      .def("find_symbol", &kut::ElfImage::find_symbol, py::arg("name"),
           "The symbol with this name, or None.")
      .def(
          "section_bytes",
          [](const kut::ElfImage& image, unsigned index, uint64_t offset, uint64_t length) {
            return py::bytes(image.section_bytes(index, offset, length));
          },
          py::arg("index"), py::arg("offset") = 0, py::arg("length") = UINT64_MAX,
          "Up to length bytes of a section's contents, from offset into it.")
      .def(
          "section_table",
          [](const kut::ElfImage& image) {
            const auto& sections = image.sections();
            py::list rows(sections.size());
            for (size_t i = 0; i < sections.size(); ++i) {
              const auto& s = sections[i];
              // Built with the C API: pybind11's per-item casts cost more than the parse.
              PyObject* row = PyTuple_Pack(6, text(s.name).ptr(), py::int_(s.address).ptr(),
                                           py::int_(s.size).ptr(), py::int_(s.flags).ptr(),
                                           py::int_(s.type).ptr(), py::int_(s.offset).ptr());
              if (!row) throw py::error_already_set();
              PyList_SET_ITEM(rows.ptr(), Py_ssize_t(i), row);
            }
            return rows;
          },
          "Every section as a (name, address, size, flags, type, offset) tuple: "
          "one call for listing large tables.");

  py::class_<kut::BootEntry>(m, "BootEntry")
      .def_readonly("found", &kut::BootEntry::found)
      .def_readonly("entry", &kut::BootEntry::entry)
      .def_readonly("method", &kut::BootEntry::method)
      .def_readonly("reason", &kut::BootEntry::reason)
      .def_readonly("listing", &kut::BootEntry::listing);

  m.def(
      "decode_aarch64_boot",
      [](const py::bytes& data, uint64_t address) {
        return kut::decode_aarch64_boot(view(data), address);
      },
      py::arg("data"), py::arg("address"),
      "Follow aarch64 boot code read at address to where it hands over control.");

  m.def(
      "decode_arm_boot",
      [](const py::bytes& data, uint64_t address) {
        return kut::decode_arm_boot(view(data), address);
      },
      py::arg("data"), py::arg("address"),
      "Follow 32-bit arm boot code read at address to where it hands over control.");

  m.def(
      "decode_riscv_boot",
      [](const py::bytes& data, uint64_t address, unsigned xlen) {
        return kut::decode_riscv_boot(view(data), address, xlen);
      },
      py::arg("data"), py::arg("address"), py::arg("xlen"),
      "Follow a RISC-V reset vector read at address to OpenSBI's fw_dynamic_info.");
}
