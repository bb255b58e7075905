"""Finding an ELF's DWARF: in the file, or through .gnu_debuglink / build-id."""

import os
import zlib
from types import SimpleNamespace

import pytest

from binutils import objcopy
from conftest import guest_file
from kut_load.load import debug_file
from kut_load.load.debug_file import (GLOBAL_DEBUG_DIR, NO_DWARF_WARNING, NO_SYMBOLS_WARNING,
                                      STALE_WARNING, candidate_paths, symbol_file)

BUILD_ID = "0123456789abcdef0123456789abcdef01234567"


def image(has_dwarf=False, debuglink="", build_id="", has_symbols=True):
    return SimpleNamespace(
        has_symbols=has_symbols,
        debug_info=SimpleNamespace(has_dwarf=has_dwarf, debuglink=debuglink,
                                   debuglink_crc=0, build_id=build_id))


def test_build_id_paths_come_first_then_debuglink_paths():
    assert candidate_paths("/kut/arm/gic.efi", "gic.efi.debug", BUILD_ID) == [
        "/kut/arm/.build-id/01/23456789abcdef0123456789abcdef01234567.debug",
        GLOBAL_DEBUG_DIR + "/.build-id/01/23456789abcdef0123456789abcdef01234567.debug",
        "/kut/arm/gic.efi.debug",
        "/kut/arm/.debug/gic.efi.debug",
        GLOBAL_DEBUG_DIR + "/kut/arm/gic.efi.debug",
    ]


def test_debuglink_only():
    assert candidate_paths("/kut/x.elf", "x.debug", "") == [
        "/kut/x.debug", "/kut/.debug/x.debug", GLOBAL_DEBUG_DIR + "/kut/x.debug"]


def test_nothing_to_look_for():
    assert candidate_paths("/kut/x.elf", "", "") == []


def test_too_short_build_id_is_ignored():
    assert candidate_paths("/kut/x.elf", "", "ab") == []


@pytest.mark.parametrize("link", ["../x.debug", "/etc/x.debug", "sub/x.debug"])
def test_debuglink_with_a_directory_is_ignored(link):
    # The name comes from the file: it must not lead out of the places gdb looks.
    assert candidate_paths("/kut/x.elf", link, "") == []


def test_debuglink_naming_the_file_itself_is_dropped():
    assert "/kut/x.elf" not in candidate_paths("/kut/x.elf", "x.elf", "")


def test_file_with_dwarf_is_its_own_symbol_file():
    assert symbol_file(image(has_dwarf=True, debuglink="x.debug"), "/kut/x.elf") == (
        "/kut/x.elf", None)


def test_debuglink_file_beside_the_elf(tmp_path):
    elf = str(tmp_path / "gic.efi")
    debug = tmp_path / "gic.efi.debug"
    debug.write_bytes(b"")
    assert symbol_file(image(debuglink="gic.efi.debug"), elf) == (str(debug), None)


def test_debuglink_file_in_dot_debug(tmp_path):
    (tmp_path / ".debug").mkdir()
    debug = tmp_path / ".debug" / "gic.efi.debug"
    debug.write_bytes(b"")
    assert symbol_file(image(debuglink="gic.efi.debug"), str(tmp_path / "gic.efi")) == (
        str(debug), None)


def test_build_id_file_wins_over_debuglink(tmp_path):
    (tmp_path / "gic.efi.debug").write_bytes(b"")
    by_id = tmp_path / ".build-id" / BUILD_ID[:2] / (BUILD_ID[2:] + ".debug")
    by_id.parent.mkdir(parents=True)
    by_id.write_bytes(b"")
    found = symbol_file(image(debuglink="gic.efi.debug", build_id=BUILD_ID),
                        str(tmp_path / "gic.efi"), build_id_of=lambda path: BUILD_ID)
    assert found == (str(by_id), None)


def test_debug_file_of_another_build_is_not_used(tmp_path):
    elf = str(tmp_path / "gic.elf")
    (tmp_path / "gic.debug").write_bytes(b"another build")
    linked = image(debuglink="gic.debug")
    linked.debug_info.debuglink_crc = zlib.crc32(b"this build")
    path, warning = symbol_file(linked, elf)
    assert path == elf
    assert warning == STALE_WARNING % (str(tmp_path / "gic.debug"), elf, "CRC")


def test_debug_file_with_another_build_id_is_not_used(tmp_path):
    by_id = tmp_path / ".build-id" / BUILD_ID[:2] / (BUILD_ID[2:] + ".debug")
    by_id.parent.mkdir(parents=True)
    by_id.write_bytes(b"")
    elf = str(tmp_path / "gic.elf")
    path, warning = symbol_file(image(build_id=BUILD_ID), elf,
                                build_id_of=lambda path: BUILD_ID[::-1])
    assert (path, warning) == (elf, STALE_WARNING % (str(by_id), elf, "build-id"))


def test_matching_debug_file_after_a_stale_one_is_used(tmp_path):
    (tmp_path / "gic.debug").write_bytes(b"another build")
    (tmp_path / ".debug").mkdir()
    (tmp_path / ".debug" / "gic.debug").write_bytes(b"this build")
    linked = image(debuglink="gic.debug")
    linked.debug_info.debuglink_crc = zlib.crc32(b"this build")
    assert symbol_file(linked, str(tmp_path / "gic.elf")) == (
        str(tmp_path / ".debug" / "gic.debug"), None)


def test_global_debug_directory_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(debug_file, "GLOBAL_DEBUG_DIR", str(tmp_path / "usr-lib-debug"))
    elf = str(tmp_path / "kut" / "x.elf")
    debug = str(tmp_path / "usr-lib-debug") + os.path.join(str(tmp_path / "kut"), "x.debug")
    os.makedirs(os.path.dirname(debug))
    open(debug, "w").close()
    assert symbol_file(image(debuglink="x.debug"), elf) == (debug, None)


def test_missing_debug_file_warns_about_dwarf(tmp_path):
    elf = str(tmp_path / "gic.elf")
    path, warning = symbol_file(image(debuglink="gic.debug"), elf)
    assert path == elf
    assert warning == NO_DWARF_WARNING % elf
    assert "no file:line" in warning and "arm/flat.lds" in warning


def test_no_symbols_at_all_warns(tmp_path):
    elf = str(tmp_path / "gic.elf")
    path, warning = symbol_file(image(has_symbols=False), elf)
    assert (path, warning) == (elf, NO_SYMBOLS_WARNING % elf)


def test_debug_directory_named_like_the_link_is_not_taken(tmp_path):
    (tmp_path / "gic.debug").mkdir()
    elf = str(tmp_path / "gic.elf")
    assert symbol_file(image(debuglink="gic.debug"), elf)[0] == elf


def test_real_debuglink_pair(native, tmp_path):
    """objcopy's split: the stripped file leads to its .debug file."""
    elf, debug = str(tmp_path / "sample.elf"), str(tmp_path / "sample.debug")
    objcopy("--only-keep-debug", guest_file("arm64", "sample.elf"), debug)
    objcopy("--strip-debug", "--add-gnu-debuglink=" + debug, guest_file("arm64", "sample.elf"), elf)
    assert symbol_file(native.ElfImage(elf), elf) == (debug, None)
