"""The native module's entry: the error class a damaged or foreign file raises."""

from kut_load import native as native_loader


def test_the_boundary_catches_the_native_modules_elf_error(native):
    assert native_loader.elf_error() is native.ElfError
