"""What gdb's main file is to the running test: a copy, another test, or the
user's own file elsewhere in the guest."""

import shutil
import subprocess

import pytest

from conftest import guest_file
from kut_load.load import main_file
from kut_load.image.plan import plan_load

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"


def riscv_plan(native):
    image = native.ElfImage(guest_file("riscv64", "sample.elf"))
    return plan_load(image, image.path, 0x80200000, image.bits)


def test_copy_of_the_test(native):
    plan = riscv_plan(native)
    assert main_file.role(plan.elf_path, [plan.elf_path], plan) == main_file.COPY


def test_another_test_has_a_main(native, tmp_path):
    other = str(tmp_path / "other.elf")
    shutil.copy(guest_file("riscv64", "sample.elf"), other)
    assert main_file.role(other, [], riscv_plan(native)) == main_file.OTHER_TEST


def test_firmware_at_its_own_addresses_is_kept(native):
    assert main_file.role(FIRMWARE, [], riscv_plan(native)) == main_file.KEEP


def test_no_elf_is_kept(native, tmp_path):
    blob = tmp_path / "fw.bin"
    blob.write_bytes(b"\0" * 64)
    assert main_file.role(str(blob), [], riscv_plan(native)) == main_file.KEEP


def test_file_without_main_over_the_test_is_refused(native, tmp_path):
    blob = str(tmp_path / "blob.elf")
    subprocess.run(["riscv64-linux-gnu-objcopy", "--change-addresses", "0x80200000",
                    "--strip-symbol", "main", guest_file("riscv64", "sample.elf"), blob],
                   check=True)
    with pytest.raises(main_file.MainFileError, match="inside the test's image"):
        main_file.role(blob, [], riscv_plan(native))


def test_same_file_by_another_name(tmp_path):
    target = tmp_path / "a.elf"
    target.write_bytes(b"x")
    (tmp_path / "link.elf").symlink_to(target)
    assert main_file.same_file(str(tmp_path / "link.elf"), [str(target)])
    assert not main_file.same_file(str(tmp_path / "b.elf"), [str(target)])
