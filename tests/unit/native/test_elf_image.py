"""The native ELF reader, checked against pyelftools on the sample guests and
on files binutils made from them, and fed damaged copies of them."""

import os
import re
import shutil
import subprocess
import textwrap
import zlib

import pytest
from elftools.elf import enums
from elftools.elf.elffile import ELFFile

import elf_damage
from binutils import objcopy
from conftest import REPO, guest_file
from kut_load import arches

# arch -> what the image's header must say (see KNOWLEDGE.md).
SAMPLES = {
    "arm64": ("aarch64", 64, "ET_DYN"),
    "arm": ("arm", 32, "ET_EXEC"),
    "riscv64": ("riscv64", 64, "ET_DYN"),
    "x86_64": ("x86-64", 64, "ET_EXEC"),
}
ET = {"ET_EXEC": 2, "ET_DYN": 3}

# Variants LLVM must refuse; every other variant must at least read consistently.
REFUSED = {
    "empty_file", "random_bytes", "random_after_ident", "truncated_in_header",
    "truncated_in_section_headers", "truncated_in_text", "truncated_in_text_with_headers",
    "section_headers_past_end", "section_headers_offset_wraps", "section_count_0xffff",
    "extended_section_count_huge", "extended_section_count_overflows",
    "section_header_size_wrong", "program_headers_past_end", "section_size_huge",
    "section_offset_past_end", "section_end_wraps", "names_index_out_of_range",
    "names_index_extended_out_of_range", "names_index_not_a_string_table",
    "name_past_string_table", "relocations_ragged", "relocations_entry_size_zero",
}


def pyelftools_value(enum_prefix, value):
    """pyelftools gives known enum values as names; turn them back into numbers."""
    if isinstance(value, int):
        return value
    for name in dir(enums):
        table = getattr(enums, name)
        if name.startswith(enum_prefix) and isinstance(table, dict) and value in table:
            return table[value]
    raise AssertionError("unknown %s value %r" % (enum_prefix, value))


def read_bytes(path):
    with open(path, "rb") as source:
        return source.read()


@pytest.fixture(params=sorted(SAMPLES))
def sample(request, native):
    """(arch, path, native image, pyelftools file) for one sample guest."""
    path = guest_file(request.param, "sample.elf")
    with open(path, "rb") as stream:
        yield request.param, path, native.ElfImage(path), ELFFile(stream)


# --- Well-formed files, against pyelftools ------------------------------------

def test_header(sample):
    arch, path, image, oracle = sample
    machine_name, bits, elf_type = SAMPLES[arch]
    assert image.path == path
    assert arches.elf_name(image) == machine_name
    assert image.machine == pyelftools_value("ENUM_E_MACHINE", oracle["e_machine"])
    assert image.bits == bits == oracle.elfclass
    assert image.little_endian and oracle.little_endian
    assert oracle["e_type"] == elf_type and image.type == ET[elf_type]
    assert image.entry == oracle["e_entry"]


def test_sections(sample):
    _, _, image, oracle = sample
    expected = list(oracle.iter_sections())
    assert [s.index for s in image.sections] == list(range(len(expected)))
    for section, want in zip(image.sections, expected):
        assert section.name == want.name
        assert section.type == pyelftools_value("ENUM_SH_TYPE", want["sh_type"])
        assert (section.address, section.size, section.flags, section.offset) == (
            want["sh_addr"], want["sh_size"], want["sh_flags"], want["sh_offset"]), section.name
        assert section.allocated == bool(want["sh_flags"] & 0x2)
        assert section.executable == bool(want["sh_flags"] & 0x4)
        assert section.writable == bool(want["sh_flags"] & 0x1)
        assert section.has_contents == (want["sh_type"] != "SHT_NOBITS")


def test_segments(sample):
    _, _, image, oracle = sample
    expected = list(oracle.iter_segments())
    assert len(image.segments) == len(expected) > 0
    for segment, want in zip(image.segments, expected):
        assert segment.type == pyelftools_value("ENUM_P_TYPE", want["p_type"])
        assert (segment.flags, segment.offset, segment.virtual_address,
                segment.physical_address, segment.file_size, segment.memory_size) == (
            want["p_flags"], want["p_offset"], want["p_vaddr"], want["p_paddr"],
            want["p_filesz"], want["p_memsz"])


def test_section_bytes(sample, native):
    _, path, image, oracle = sample
    for section, want in zip(image.sections, oracle.iter_sections()):
        if section.has_contents:
            assert image.section_bytes(section.index) == want.data(), section.name
        else:
            with pytest.raises(native.ElfError, match=re.escape(path)):
                image.section_bytes(section.index)
    with pytest.raises(native.ElfError, match="no section with index"):
        image.section_bytes(len(image.sections))


def test_find_symbol_main(sample):
    _, _, image, oracle = sample
    [want] = oracle.get_section_by_name(".symtab").get_symbol_by_name("main")
    main = image.find_symbol("main")
    assert (main.name, main.address, main.size) == ("main", want["st_value"], want["st_size"])
    assert main.size > 0
    assert image.has_symbols


def test_find_symbol_missing_is_none(sample):
    assert sample[2].find_symbol("no_such_symbol_anywhere") is None


def test_relocated_addresses(sample):
    arch, _, image, oracle = sample
    expected = []
    for section in oracle.iter_sections():
        if section["sh_type"] in ("SHT_RELA", "SHT_REL") and section["sh_flags"] & 0x2:
            expected += [relocation["r_offset"] for relocation in section.iter_relocations()]
    assert list(image.relocated_addresses) == sorted(expected)
    if expected:
        low, high = sorted(expected)[0], sorted(expected)[-1]
        assert image.relocated_between(low, high) == sorted(expected)[:-1]
        assert image.relocated_between(low + 1, low + 1) == []
        assert image.relocated_between(high + 1, 0) == []
    # The PIEs relocate themselves; the images linked at their run address do not.
    assert bool(expected) == (SAMPLES[arch][2] == "ET_DYN")


def test_samples_have_dwarf_and_no_separate_debug_file(sample):
    debug = sample[2].debug_info
    assert debug.has_dwarf
    assert (debug.debuglink, debug.debuglink_crc, debug.build_id) == ("", 0, "")


def test_from_bytes_reads_the_same(sample, native):
    _, path, image, _ = sample
    copy = native.ElfImage.from_bytes(read_bytes(path), "copy.elf")
    assert copy.path == "copy.elf"
    assert [(s.name, s.address, s.size, s.offset) for s in copy.sections] == [
        (s.name, s.address, s.size, s.offset) for s in image.sections]
    assert copy.find_symbol("main").address == image.find_symbol("main").address
    text = image.sections[1].index
    assert copy.section_bytes(text) == image.section_bytes(text)


# --- Files binutils made from the samples -----------------------------------

def test_strip_debug_removes_dwarf(sample, native, tmp_path):
    _, path, _, _ = sample
    stripped = str(tmp_path / "stripped.elf")
    objcopy("--strip-debug", path, stripped)
    image = native.ElfImage(stripped)
    assert not image.debug_info.has_dwarf
    assert image.has_symbols and image.find_symbol("main")


def test_strip_all_leaves_no_symbols(native, tmp_path):
    stripped = str(tmp_path / "stripped.elf")
    objcopy("--strip-all", guest_file("arm", "sample.elf"), stripped)
    image = native.ElfImage(stripped)
    assert not image.has_symbols and not image.debug_info.has_dwarf
    assert image.find_symbol("main") is None


def test_debuglink_name_and_crc(sample, native, tmp_path):
    _, path, _, _ = sample
    debug_file = str(tmp_path / "sample.elf.debug")
    stripped = str(tmp_path / "sample.elf")
    objcopy("--only-keep-debug", path, debug_file)
    objcopy("--strip-debug", "--add-gnu-debuglink=" + debug_file, path, stripped)
    image = native.ElfImage(stripped)
    assert not image.debug_info.has_dwarf
    assert image.debug_info.debuglink == "sample.elf.debug"
    assert image.debug_info.debuglink_crc == zlib.crc32(read_bytes(debug_file))
    assert native.ElfImage(debug_file).debug_info.has_dwarf


def link_with_build_id(tmp_path, compiler, build_id_option):
    source = tmp_path / "tiny.c"
    source.write_text("int main(void) { return 0; }\nvoid _start(void) { main(); }\n")
    output = str(tmp_path / "tiny.elf")
    assert shutil.which(compiler), "%s is not installed" % compiler
    subprocess.run([compiler, "-nostdlib", "-ffreestanding", "-static", "-g",
                    "-Wl,--build-id=" + build_id_option, "-o", output, str(source)], check=True)
    return output


def build_id_by_pyelftools(path):
    with open(path, "rb") as stream:
        for section in ELFFile(stream).iter_sections():
            if section["sh_type"] == "SHT_NOTE":
                for note in section.iter_notes():
                    if note["n_type"] == "NT_GNU_BUILD_ID":
                        return note["n_desc"]
    return None


def build_id_by_readelf(path):
    notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True,
                           check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", notes).group(1)


@pytest.mark.parametrize("compiler", ["gcc", "aarch64-linux-gnu-gcc"])
def test_build_id_sha1(native, tmp_path, compiler):
    path = link_with_build_id(tmp_path, compiler, "sha1")
    build_id = native.ElfImage(path).debug_info.build_id
    assert len(build_id) == 40
    assert build_id == build_id_by_pyelftools(path) == build_id_by_readelf(path)


def test_build_id_given(native, tmp_path):
    path = link_with_build_id(tmp_path, "gcc", "0x0123456789abcdef")
    assert native.ElfImage(path).debug_info.build_id == "0123456789abcdef"


# --- Files that are not what they claim --------------------------------------

def test_missing_file_error_names_it(native, tmp_path):
    path = str(tmp_path / "nowhere.elf")
    with pytest.raises(native.ElfError, match=re.escape(path)):
        native.ElfImage(path)


def test_directory_error_names_it(native, tmp_path):
    with pytest.raises(native.ElfError, match=re.escape(str(tmp_path))):
        native.ElfImage(str(tmp_path))


def test_flat_image_is_not_an_elf(native):
    path = guest_file("arm64", "sample.flat")
    with pytest.raises(native.ElfError, match=re.escape(path) + ".*not an ELF file"):
        native.ElfImage(path)


def test_elf_error_is_a_value_error(native):
    assert issubclass(native.ElfError, ValueError)


# Run in a child so that a crash in native code fails this test, not pytest.
EXERCISE_ALL = textwrap.dedent("""
    import sys
    sys.path[:0] = [%(python)r, %(tests)r]
    import elf_damage
    from kut_load import native
    helper = native.load()

    def exercise(image):
        for section in image.sections:
            (section.name, section.address, section.size, section.flags, section.allocated)
            try:
                image.section_bytes(section.index)
            except helper.ElfError:
                pass
        [segment.virtual_address for segment in image.segments]
        image.find_symbol("main"), image.find_symbol("")
        image.relocated_addresses, image.debug_info.build_id, image.machine
        image.has_symbols, image.entry, image.type, image.bits

    for name, path in sorted(elf_damage.write_variants(sys.argv[1]).items()):
        print(name, flush=True)
        with open(path, "rb") as source:
            data = source.read()
        for load in (lambda: helper.ElfImage(path), lambda: helper.ElfImage.from_bytes(data, name)):
            try:
                exercise(load())
            except helper.ElfError:
                pass
    print("done")
""") % {"python": os.path.join(REPO, "python"), "tests": os.path.join(REPO, "tests")}


def test_damaged_files_never_crash(tmp_path):
    child = subprocess.run(["/usr/bin/python3", "-c", EXERCISE_ALL, str(tmp_path)],
                           capture_output=True, text=True, timeout=120)
    last = child.stdout.split()[-1:] or ["(none)"]
    assert child.returncode == 0 and last == ["done"], (
        "reading damaged ELF files died (status %d) at %s:\n%s"
        % (child.returncode, last[0], child.stderr[-2000:]))


def damaged_cases():
    for arch in elf_damage.SAMPLES:
        data = read_bytes(elf_damage.sample_path(arch))
        for name in elf_damage.variants(data):
            yield pytest.param((arch, name), id="%s-%s" % (arch, name))


@pytest.fixture
def damaged(request, native, tmp_path):
    arch, name = request.param
    data = elf_damage.variants(read_bytes(elf_damage.sample_path(arch)))[name]
    path = tmp_path / ("%s-%s.elf" % (arch, name))
    path.write_bytes(data)
    return name, str(path), data


@pytest.mark.parametrize("damaged", list(damaged_cases()), indirect=True)
def test_damaged_file_refused_or_consistent(native, damaged):
    name, path, data = damaged
    if name in REFUSED:
        with pytest.raises(native.ElfError) as refused:
            native.ElfImage(path)
        assert str(refused.value).startswith(path + ": ")
        with pytest.raises(native.ElfError) as refused:
            native.ElfImage.from_bytes(data, "in-memory.elf")
        assert str(refused.value).startswith("in-memory.elf: ")
        return
    image = native.ElfImage(path)
    for section in image.sections:
        if section.has_contents:
            assert section.offset + section.size <= len(data)
            assert len(image.section_bytes(section.index)) == section.size
    check_accepted_variant(name, image)


def allocated_starts(image):
    return [s.address for s in image.sections if s.allocated and s.has_contents and s.size]


def check_accepted_variant(name, image):
    """What each variant LLVM accepts must look like to the reader's users."""
    if name == "no_section_headers":
        assert image.sections == [] and image.segments
        assert image.find_symbol("main") is None
    elif name == "overlapping_sections":
        starts = allocated_starts(image)
        assert len(starts) != len(set(starts))
    elif name == "nothing_allocated":
        assert allocated_starts(image) == [] and image.relocated_addresses == []
    elif name == "other_architecture":
        assert image.machine == elf_damage.EM_MIPS and arches.elf_name(image) == "ELF machine 8"
    elif name == "newline_in_section_name":
        assert ".data\n" + elf_damage.INJECTED_COMMAND in [s.name for s in image.sections]
    elif name == "quote_in_section_name":
        assert any("'" in s.name for s in image.sections)
    elif name in ("symbol_names_link_bad", "symbols_entry_size_wrong"):
        # .symtab cannot be read; main is not in .dynsym either.
        assert image.find_symbol("main") is None
    else:
        raise AssertionError("no expectation for accepted variant %s" % name)
