"""A test's file names (kut_load.file_names), as kvm-unit-tests' Makefiles
make them: X.flat and X.elf, X.efi and X.efi.debug."""

import pytest

from kut_load import file_names


@pytest.mark.parametrize("booted, symbols", [
    ("arm/gic.flat", "arm/gic.elf"), ("x86/msr.efi", "x86/msr.efi.debug"),
    ("s390x/selftest.elf", "s390x/selftest.elf"), ("/t/a.b.flat", "/t/a.b.elf"),
    ("x86/msr.efi.debug", "x86/msr.efi.debug"),
])
def test_the_symbols_of_the_file_qemu_boots(booted, symbols):
    assert file_names.symbol_file_name(booted) == symbols


@pytest.mark.parametrize("path, stem", [
    ("arm/gic.flat", "arm/gic"), ("arm/gic.elf", "arm/gic"), ("x86/msr.efi", "x86/msr"),
    ("x86/msr.efi.debug", "x86/msr"), ("logs/msr.log", "logs/msr.log"),
])
def test_stem(path, stem):
    assert file_names.stem(path) == stem


def test_efi_files_and_the_efi_build_of_a_flat():
    assert file_names.is_efi("x86/msr.efi") and file_names.is_efi("x86/msr.efi.debug")
    assert not file_names.is_efi("x86/msr.elf") and not file_names.is_efi("x86/msr.flat")
    assert file_names.efi_of_flat("arm/selftest.flat") == "arm/selftest.efi"
    assert file_names.efi_of_flat("x86/msr.efi") == "x86/msr.efi"
    assert set(file_names.SYMBOL_FILE_SUFFIXES) == set(file_names.SUFFIXES) - {".flat"}


@pytest.mark.parametrize("kernel, symbols", [
    ("arm/gic.flat", "arm/gic.elf"),
    ("/abs/x86/msr.flat", "/abs/x86/msr.elf"),
    ("arm/gic.efi", "arm/gic.efi.debug"),
    ("arm/gic.elf", "arm/gic.elf"),
    ("riscv/sbi", "riscv/sbi"),
    ("dir.flat/name", "dir.flat/name"),
    ("x.flat.flat", "x.flat.elf"),
])
def test_symbol_file_name(kernel, symbols):
    assert file_names.symbol_file_name(kernel) == symbols
