"""The load plan: offsets, refusals and the add-symbol-file line, on the real
sample images and on small made-up ones."""

from types import SimpleNamespace

import pytest

from argv_splitters import SPLITTERS
from conftest import guest_file
from kut_load.elf import ET_DYN, ET_EXEC, ET_REL
from kut_load.image.plan import PlanError, check_no_overlap, image_start, plan_load
from kut_load.quoting import UnsafeName


def section(name, address, size, allocated=True, contents=True, writable=False,
            executable=False):
    return SimpleNamespace(name=name, address=address, size=size, allocated=allocated,
                           has_contents=contents, writable=writable, executable=executable)


def image(elf_type, sections, path="/tests/x.elf"):
    return SimpleNamespace(type=elf_type, sections=sections, path=path)


PIE_AT_ZERO = image(ET_DYN, [
    section("", 0, 0, allocated=False, contents=False),
    section(".text", 0, 0x300, executable=True),
    section(".rodata", 0x300, 0x40),
    section(".data", 0x400, 0x20, writable=True),
    section(".bss", 0x420, 0x100, contents=False, writable=True),
    section(".debug_info", 0, 0x500, allocated=False),
])


def test_pie_linked_at_zero_is_offset_to_the_load_address():
    plan = plan_load(PIE_AT_ZERO, "/tests/x.elf", 0x40080000)
    assert plan.offset == 0x40080000 and plan.load_address == 0x40080000
    assert plan.add_symbol_file_command() == 'add-symbol-file "/tests/x.elf" -o 0x40080000'
    # The same arguments read as gdb's main file, when kut-load replaces one.
    assert plan.add_symbol_file_command("symbol-file") == 'symbol-file "/tests/x.elf" -o 0x40080000'


def test_sections_are_the_allocated_ones_moved_by_the_offset():
    plan = plan_load(PIE_AT_ZERO, "/tests/x.elf", 0x40080000)
    assert [(s.name, s.link_address, s.address, s.size) for s in plan.sections] == [
        (".text", 0, 0x40080000, 0x300),
        (".rodata", 0x300, 0x40080300, 0x40),
        (".data", 0x400, 0x40080400, 0x20),
        (".bss", 0x420, 0x40080420, 0x100),
    ]
    text, _, data, bss = plan.sections
    assert text.executable and not text.writable and text.has_contents
    assert data.writable and not data.executable
    assert not bss.has_contents


def test_an_object_file_is_refused_as_not_linked():
    # A .o's sections all start at 0, so they look as if they overlapped.
    gic_o = image(ET_REL, [section(".text", 0, 0x300, executable=True),
                           section(".data", 0, 0x40, writable=True)], path="/tests/gic.o")
    with pytest.raises(PlanError, match=r"^/tests/gic\.o is a relocatable object \(ET_REL\), "
                                        r"not a linked test image; give the test's \.elf file$"):
        plan_load(gic_o, gic_o.path, 0x40080000)


def test_pie_start_is_its_lowest_section_with_contents():
    # .bss below the code does not count: a flat image holds file bytes only.
    shifted = image(ET_DYN, [section(".bss", 0x800, 0x10, contents=False),
                             section(".text", 0x1000, 0x100, executable=True)])
    assert image_start(shifted) == 0x1000
    plan = plan_load(shifted, "/x.elf", 0x80200000)
    assert plan.offset == 0x80200000 - 0x1000
    assert plan.sections[0].address == 0x80200000 - 0x800


def test_exec_at_its_link_address_has_offset_zero():
    linked = image(ET_EXEC, [section(".text", 0x40010000, 0x31c, executable=True),
                             section(".data", 0x40010378, 0x18, writable=True)])
    plan = plan_load(linked, "/tests/arm.elf", 0x40010000, 32)
    assert plan.offset == 0
    assert [s.address for s in plan.sections] == [0x40010000, 0x40010378]
    assert plan.add_symbol_file_command() == 'add-symbol-file "/tests/arm.elf" -o 0x0'


def test_exec_elsewhere_is_refused():
    linked = image(ET_EXEC, [section(".text", 0x40010000, 0x31c, executable=True)],
                   path="/tests/arm.elf")
    with pytest.raises(PlanError) as refused:
        plan_load(linked, "/tests/arm.elf", 0x40080000, 32)
    message = str(refused.value)
    assert "/tests/arm.elf" in message
    assert "0x40010000" in message and "0x40080000" in message


def test_negative_offset_is_written_with_a_minus_sign():
    high = image(ET_DYN, [section(".text", 0x40000000, 0x100, executable=True)])
    plan = plan_load(high, "/x.elf", 0x1000)
    assert plan.offset == 0x1000 - 0x40000000
    assert plan.add_symbol_file_command().endswith(" -o -0x3ffff000")
    assert plan.sections[0].address == 0x1000


def test_addresses_wrap_at_the_address_width():
    high = image(ET_DYN, [section(".text", 0x1000, 0x100, executable=True),
                          section(".data", 0x2000, 0x10, writable=True)])
    plan = plan_load(high, "/x.elf", 0xfffff000, 32)
    assert [s.address for s in plan.sections] == [0xfffff000, 0]


def test_no_allocated_contents_is_refused():
    debug_only = image(ET_DYN, [section(".debug_info", 0, 0x100, allocated=False),
                                section(".bss", 0, 0x100, contents=False)],
                       path="/tests/debug-only.elf")
    with pytest.raises(PlanError, match="/tests/debug-only.elf has no allocated sections"):
        plan_load(debug_only, "/tests/debug-only.elf", 0x40080000)


def test_overlapping_sections_are_refused():
    overlapping = image(ET_DYN, [section(".text", 0, 0x300, executable=True),
                                 section(".data", 0x200, 0x20, writable=True)],
                        path="/tests/bad.elf")
    with pytest.raises(PlanError, match="/tests/bad.elf is damaged.*'.text'.*'.data'"):
        plan_load(overlapping, "/tests/bad.elf", 0x40080000)


def test_touching_and_empty_sections_do_not_overlap():
    fine = image(ET_DYN, [section(".text", 0, 0x300, executable=True),
                          section(".empty", 0x100, 0),
                          section(".bss", 0x100, 0x40, contents=False),
                          section(".data", 0x300, 0x20, writable=True)])
    check_no_overlap(fine)


@pytest.mark.parametrize("path", [
    "/tmp/with space/x.elf", "/tmp/it's/x.elf", '/tmp/"q"/x.elf', "/tmp/back\\slash/x.elf",
    "/tmp/$HOME;#/x.elf", "/tmp/-o 0x1000/x.elf",
])
@pytest.mark.parametrize("split", SPLITTERS)
def test_command_keeps_the_path_one_word(path, split):
    plan = plan_load(PIE_AT_ZERO, path, 0x40080000)
    assert split(plan.add_symbol_file_command()) == [
        "add-symbol-file", path, "-o", "0x40080000"]


def test_command_refuses_a_path_with_a_newline():
    plan = plan_load(PIE_AT_ZERO, "/tmp/x.elf\necho INJECTED", 0x40080000)
    with pytest.raises(UnsafeName):
        plan.add_symbol_file_command()


def test_arm64_sample_goes_to_the_virt_load_address(native):
    path = guest_file("arm64", "sample.elf")
    sample = native.ElfImage(path)
    plan = plan_load(sample, path, 0x40080000, sample.bits)
    assert plan.offset == 0x40080000
    main = sample.find_symbol("main")
    text = [s for s in plan.sections if s.name == ".text"][0]
    assert text.address == 0x40080000 and text.link_address == 0
    assert {s.name for s in plan.sections} >= {".text", ".rodata", ".data", ".bss"}
    assert not {s.name for s in plan.sections} & {".debug_info", ".symtab"}
    assert main.address + plan.offset == 0x40080000 + main.address


def test_arm_sample_runs_where_it_was_linked(native):
    path = guest_file("arm", "sample.elf")
    sample = native.ElfImage(path)
    assert plan_load(sample, path, 0x40010000, sample.bits).offset == 0
    with pytest.raises(PlanError):
        plan_load(sample, path, 0x40080000, sample.bits)
