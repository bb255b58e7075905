"""Pairing X.efi with X.efi.debug, and placing the debug file's sections where
the firmware loaded the image."""

import dataclasses
import os
import shutil

import pytest

from conftest import guest_file
from kut_load import arches
from kut_load.efi import files as efi_files
from kut_load.efi.plan import plan_efi_load
from kut_load.image.plan import PlanError

BASE = 0x4073d000


@pytest.fixture
def copies(tmp_path):
    """sample.efi and sample.efi.debug in a directory the test may change."""
    for name in ("sample.efi", "sample.efi.debug"):
        shutil.copy(guest_file("efi-arm64", name), tmp_path / name)
    return tmp_path


def test_either_file_finds_the_other(copies):
    for name in ("sample.efi", "sample.efi.debug"):
        efi = efi_files.locate(str(copies / name))
        assert efi.pe_path == str(copies / "sample.efi")
        assert efi.debug_path == str(copies / "sample.efi.debug")
        assert arches.pe_name(efi.header.machine) == "aarch64"


def test_other_files_are_not_efi():
    assert efi_files.locate(guest_file("arm64", "sample.elf")) is None
    assert efi_files.locate(guest_file("arm64", "sample.flat")) is None


def test_missing_partner_is_one_sentence(copies):
    os.remove(copies / "sample.efi.debug")
    with pytest.raises(efi_files.EfiFileError,
                       match="no DWARF beside it: expected .*sample.efi.debug"):
        efi_files.locate(str(copies / "sample.efi"))
    shutil.copy(guest_file("efi-arm64", "sample.efi.debug"), copies / "sample.efi.debug")
    os.remove(copies / "sample.efi")
    with pytest.raises(efi_files.EfiFileError, match="needs the image it describes"):
        efi_files.locate(str(copies / "sample.efi.debug"))


def test_damaged_pe_is_one_sentence(copies):
    (copies / "sample.efi").write_bytes(b"MZ" + bytes(10))
    with pytest.raises(efi_files.EfiFileError, match="sample.efi: the PE header is cut short"):
        efi_files.locate(str(copies / "sample.efi"))


def test_sections_move_by_the_load_address(native):
    efi = efi_files.locate(guest_file("efi-arm64", "sample.efi"))
    image = native.ElfImage(efi.debug_path)
    plan = plan_efi_load(image, efi, BASE)
    assert plan.offset == BASE and plan.elf_path == efi.debug_path
    placed = {s.name: s for s in plan.sections}
    assert placed[".text"].address == BASE + 0x1000
    assert placed[".data"].address == BASE + placed[".data"].link_address
    assert ".debug_info" not in placed
    assert plan.add_symbol_file_command() == 'add-symbol-file "%s" -o %#x' % (efi.debug_path, BASE)


def test_a_debug_file_of_another_build_is_refused(native):
    efi = efi_files.locate(guest_file("efi-arm64", "sample.efi"))
    image = native.ElfImage(efi.debug_path)
    other = dataclasses.replace(efi, header=dataclasses.replace(efi.header, entry_rva=0x1040))
    with pytest.raises(PlanError, match="does not belong to"):
        plan_efi_load(image, other, BASE)


def test_a_debug_file_for_another_machine_is_refused(native):
    efi = efi_files.locate(guest_file("efi-arm64", "sample.efi"))
    image = native.ElfImage(efi.debug_path)
    other = dataclasses.replace(efi, header=dataclasses.replace(efi.header, machine=0x8664))
    with pytest.raises(PlanError, match="built for aarch64, but .* is a PE image for x86-64"):
        plan_efi_load(image, other, BASE)


def upstream_debug_file(tmp_path, entry):
    """The sample's X.efi.debug with e_entry rewritten, as upstream links it (0)."""
    debug = tmp_path / "sample.efi.debug"
    shutil.copy(guest_file("efi-arm64", "sample.efi.debug"), debug)
    with open(debug, "r+b") as data:
        data.seek(0x18)  # e_entry of an ELF64 header
        data.write(entry.to_bytes(8, "little"))
    return str(debug)


def test_a_debug_file_linked_without_entry_point_pairs_by_its_code(native, tmp_path):
    efi = efi_files.locate(guest_file("efi-arm64", "sample.efi"))
    image = native.ElfImage(upstream_debug_file(tmp_path, 0))
    assert image.entry == 0 and efi.header.entry_rva == 0x1000
    assert plan_efi_load(image, efi, BASE).offset == BASE


def test_a_debug_file_whose_code_is_elsewhere_is_refused(native, tmp_path):
    efi = efi_files.locate(guest_file("efi-arm64", "sample.efi"))
    image = native.ElfImage(upstream_debug_file(tmp_path, 0))
    sections = tuple(dataclasses.replace(s, rva=s.rva + 0x100000) for s in efi.header.sections)
    moved = dataclasses.replace(efi.header, size_of_image=efi.header.size_of_image + 0x100000,
                                entry_rva=efi.header.entry_rva + 0x100000, sections=sections)
    with pytest.raises(PlanError, match="the PE section .text .* does not hold its .text"):
        plan_efi_load(image, dataclasses.replace(efi, header=moved), BASE)
