"""Finding the EFI test a QEMU FAT disk boots, as kvm-unit-tests' EFI run
scripts lay it out, and its original X.efi by contents."""

import os

from kut_load.efi.boot_disk import boot_images, booted_images, vvfat_directories

X86_RUN = ["qemu-system-x86_64",
           "-drive", "file=/usr/share/ovmf/OVMF.fd,format=raw,if=pflash,readonly=on",
           "-drive", "file.dir=efi-tests/msr/,file.driver=vvfat,file.rw=on,format=raw,if=virtio",
           "-net", "none"]


def write(path, data=b""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)
    return str(path)


def test_vvfat_directories_in_both_spellings():
    assert vvfat_directories(X86_RUN) == ["efi-tests/msr/"]
    fat = ["qemu-system-aarch64", "-drive", "file=fat:rw:floppy:some/dir,format=raw"]
    assert vvfat_directories(fat) == ["some/dir"]
    disk = ["qemu-system-x86_64", "-drive", "file=disk.img,if=virtio", "-kernel", "x"]
    assert vvfat_directories(disk) == []


def test_startup_script_then_default_boot_file(tmp_path):
    disk = tmp_path / "disk"
    write(disk / "startup.nsh", b"@echo -off\nsetvar fdtfile -rt =L\"dtb\"\ngic.efi irq\n")
    write(disk / "gic.efi", b"MZ")
    write(disk / "EFI" / "BOOT" / "BOOTAA64.EFI", b"MZ")
    assert boot_images(str(disk)) == [str(disk / "gic.efi"),
                                      str(disk / "EFI" / "BOOT" / "BOOTAA64.EFI")]


def test_the_original_is_found_by_contents_beside_its_debug_file(tmp_path):
    tree = tmp_path / "kut"
    write(tree / "efi-tests" / "msr" / "EFI" / "BOOT" / "BOOTX64.EFI", b"MZ msr")
    write(tree / "x86" / "msr.efi", b"MZ msr")
    write(tree / "x86" / "msr.efi.debug")
    write(tree / "x86" / "pmu.efi", b"MZ pmu")       # another test
    write(tree / "x86" / "pmu.efi.debug")
    write(tree / "x86" / "old.efi", b"MZ msr")       # same bytes, no debug file
    images, looked_at = booted_images(X86_RUN, [str(tmp_path), str(tree)])
    assert images == [str(tree / "x86" / "msr.efi")]
    assert looked_at == [str(tree / "efi-tests" / "msr" / "EFI" / "BOOT" / "BOOTX64.EFI")]


def test_nothing_matching_says_what_was_looked_at(tmp_path):
    tree = tmp_path / "kut"
    write(tree / "efi-tests" / "msr" / "EFI" / "BOOT" / "BOOTX64.EFI", b"MZ new build")
    write(tree / "x86" / "msr.efi", b"MZ old build")
    write(tree / "x86" / "msr.efi.debug")
    images, looked_at = booted_images(X86_RUN, [str(tree)])
    assert images == [] and len(looked_at) == 1
