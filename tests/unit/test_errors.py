"""User errors share one base class, which the command boundary catches with
the native ElfError by name; anything else, a ValueError too, is a bug."""

import pytest

from kut_load.finders import load_address, chain
from kut_load import errors
from kut_load.load import main_file, options
from kut_load.image import plan
from kut_load import native as native_loader
from kut_load import quoting
from kut_load.image import verify
from kut_load.efi import files as efi_files
from kut_load.errors import KutLoadError, TargetError, whole_read

USER_ERRORS = [load_address.DetectionError, chain.UnrunnableImage, efi_files.EfiFileError,
               errors.TargetError, main_file.MainFileError, native_loader.NativeModuleError,
               options.UsageError, plan.PlanError, quoting.UnsafeName,
               verify.MismatchError]


@pytest.mark.parametrize("error", USER_ERRORS, ids=lambda error: error.__name__)
def test_user_errors_share_the_base_class_and_are_no_value_errors(error):
    assert issubclass(error, KutLoadError)
    assert not issubclass(error, ValueError)


def test_the_boundary_catches_the_native_modules_elf_error(native):
    assert native_loader.elf_error() is native.ElfError


def test_whole_read_refuses_short_and_long_answers():
    with pytest.raises(TargetError, match="gave 5 of the 4 bytes"):
        whole_read(b"abcde", 0x40080000, 4)
