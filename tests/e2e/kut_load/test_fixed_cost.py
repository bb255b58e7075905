"""The usual `kut-load X.elf` imports only what it uses: modules for the
no-argument form, the fallbacks and the error messages stay unloaded, so
the first kut-load does not pay for them (tests/bench measures the time)."""

import re

from conftest import guest_file
from session import Qemu, run_gdb

# Loaded only when kut-load needs them: glob and importlib.util explain a
# missing native module, kernel_file and qemu_process find the ELF when none
# is given, roms parses a ROM list the arm64 finder does not ask for, and
# the other architectures' finders are imported by their own rows only;
# debug_file (and zlib) only for an ELF without DWARF, main_file only when
# gdb already has symbols.
NOT_ON_THE_USUAL_PATH = {"glob", "importlib.util", "kut_load.qemu.kernel_file",
                         "kut_load.qemu.process", "kut_load.qemu.roms", "kut_load.efi",
                         "kut_load.finders.riscv_reset_vector",
                         "kut_load.finders.qemu_elf_loader", "kut_load.finders.contents",
                         "kut_load.load.debug_file", "kut_load.load.main_file", "zlib",
                         "dataclasses", "inspect"}
NEW_MODULES = ("python print('new modules:', sorted(set(sys.modules) - before))")


def test_usual_load_imports_no_fallback_modules():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["python import sys; before = set(sys.modules)",
                                  "kut-load " + elf, NEW_MODULES])
    assert "kut-load: %s at 0x40080000" % elf in out, out
    match = re.search(r"^new modules: \[(.*)\]$", out, re.M)
    assert match, out
    new = set(re.findall(r"'([^']+)'", match.group(1)))
    assert "kut_load.load.command" in new and "_kut_native" in new, new
    assert not new & NOT_ON_THE_USUAL_PATH, sorted(new & NOT_ON_THE_USUAL_PATH)
