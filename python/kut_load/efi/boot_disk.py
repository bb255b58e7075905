"""Where an EFI test came from when QEMU was given no -kernel for it: the
run scripts (x86/efi/run, arm/efi/run, riscv/efi/run) copy X.efi into a
directory QEMU serves as a FAT disk (vvfat), as EFI/BOOT/BOOTX64.EFI for
the firmware's default boot, or beside a startup.nsh that names it for
the UEFI shell. The copy has no X.efi.debug beside it: the original is
found by its contents among the .efi files of the test tree.

Pure but for the filesystem: QEMU's argv and directories in, paths out.
"""

import glob
import os

from kut_load.efi.files import MAX_IMAGE_BYTES
from kut_load.qemu import options as qemu_options


# Prefixes of a fat: drive's directory (QEMU's block/vvfat.c): rw:, floppy: and the FAT size.
FAT_PREFIXES = ("rw:", "floppy:", "12:", "16:", "32:")


def vvfat_directories(argv):
    """Directories QEMU serves as FAT disks: -drive file.dir=D,file.driver=vvfat
    and -drive file=fat:[rw:][floppy:]D, in argv's order; argv is QEMU's
    whole command line, its program first."""
    directories = []
    for item in qemu_options.items(argv[1:]):
        if item.name != "-drive" or not item.value:
            continue
        fields = dict(field.partition("=")[::2] for field in item.value.split(","))
        if fields.get("file.driver") == "vvfat" and fields.get("file.dir"):
            directories.append(fields["file.dir"])
        elif fields.get("file", "").startswith("fat:"):
            path = fields["file"][len("fat:"):]
            while path.startswith(FAT_PREFIXES):
                path = path.split(":", 1)[1]
            directories.append(path)
    return directories


def startup_script_images(directory):
    """The .efi files startup.nsh runs, in its order (the UEFI shell's script)."""
    try:
        with open(os.path.join(directory, "startup.nsh"), errors="replace") as script:
            lines = script.read().splitlines()
    except OSError:
        return []
    names = [line.split()[0] for line in lines if line.split()]
    return [os.path.join(directory, name) for name in names
            if name.lower().endswith(".efi") and os.path.basename(name) == name]


def boot_images(directory):
    """The EFI applications the firmware runs from directory: those startup.nsh
    names, then the default boot files EFI/BOOT/BOOT<machine>.EFI."""
    found = [path for path in startup_script_images(directory) if os.path.isfile(path)]
    for path in sorted(glob.glob(os.path.join(glob.escape(directory), "*", "*", "*"))):
        parts = os.path.relpath(path, directory).split(os.sep)
        if ([part.lower() for part in parts[:2]] == ["efi", "boot"]
                and parts[2].lower().startswith("boot") and parts[2].lower().endswith(".efi")):
            found.append(path)
    return found


def _contents(path):
    try:
        if os.path.getsize(path) > MAX_IMAGE_BYTES:
            return None
        with open(path, "rb") as image:
            return image.read()
    except OSError:
        return None


def originals(image, trees):
    """Every X.efi with X.efi.debug beside it whose bytes are image's: image
    itself, then the .efi files in each tree and its subdirectories (x86/,
    arm/, riscv/), in the trees' order."""
    wanted = _contents(image)
    candidates = [image]
    for tree in filter(None, trees):
        candidates += sorted(glob.glob(os.path.join(glob.escape(tree), "*.efi")))
        candidates += sorted(glob.glob(os.path.join(glob.escape(tree), "*", "*.efi")))
    found = []
    for path in candidates:
        real = os.path.realpath(path)
        if (os.path.isfile(path + ".debug") and real not in map(os.path.realpath, found)
                and wanted is not None and _contents(path) == wanted):
            found.append(path)
    return found


def booted_images(argv, directories):
    """(images, what was looked at): X.efi paths whose X.efi.debug describes
    the EFI application QEMU's FAT disks boot; directories are where QEMU's
    relative names may point, gdb's working directory and QEMU's."""
    images, looked_at = [], []
    for disk in vvfat_directories(argv):
        for base in filter(None, directories):
            path = os.path.join(base, disk)
            if not os.path.isdir(path):
                continue
            for app in boot_images(path):
                looked_at.append(app)
                images += [found for found in originals(app, directories) if found not in images]
            break
    return images, looked_at
