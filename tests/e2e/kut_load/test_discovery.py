"""kut-load at any moment, from any vCPU, with no argument, checked and
repeatable: arm64 sample guest under real QEMU and gdb-multiarch."""

import os
import re
import shutil
import subprocess
import time

from conftest import guest_file
from sample_output import MAGIC, MIX_LINE, STOP_IN_MAIN, STOP_IN_MIX
from session import Qemu, run_gdb


def sample_tree(tmp_path):
    """A kvm-unit-tests-like tree: arm64/sample.flat and arm64/sample.elf."""
    tree = tmp_path / "tree"
    (tree / "arm64").mkdir(parents=True)
    for name in ("sample.flat", "sample.elf"):
        shutil.copy(guest_file("arm64", name), tree / "arm64" / name)
    return tree


def count_objfiles(name):
    return ("python print('objfiles:', len([o for o in gdb.objfiles() "
            "if o.filename.endswith('%s')]))" % name)


def test_no_argument_resolves_relative_to_gdbs_directory(tmp_path):
    tree = sample_tree(tmp_path)
    with Qemu("aarch64", "arm64/sample.flat", cwd=tree) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue"], cwd=tree)
    assert STOP_IN_MAIN.search(out), out
    assert str(tree / "arm64" / "sample.elf") in out, out


def test_no_argument_finds_the_elf_through_qemus_directory(tmp_path):
    tree = sample_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with Qemu("aarch64", "arm64/sample.flat", cwd=tree) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue"], cwd=elsewhere)
    assert STOP_IN_MAIN.search(out), out


def test_no_argument_skips_a_same_named_elf_that_does_not_match(tmp_path, native):
    tree = sample_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "arm64").mkdir(parents=True)
    stale = elsewhere / "arm64" / "sample.elf"
    shutil.copy(tree / "arm64" / "sample.elf", stale)
    patch_main(native, stale)
    with Qemu("aarch64", "arm64/sample.flat", cwd=tree) as qemu:
        out = run_gdb(qemu.port, ["kut-load", "break main", "continue"], cwd=elsewhere)
    assert "kut-load: %s at" % (tree / "arm64" / "sample.elf") in out, out
    assert STOP_IN_MAIN.search(out), out


def test_no_argument_names_what_it_looked_for(tmp_path):
    tree = sample_tree(tmp_path)
    os.remove(tree / "arm64" / "sample.elf")
    with Qemu("aarch64", "arm64/sample.flat", cwd=tree) as qemu:
        out = run_gdb(qemu.port, ["kut-load", count_objfiles("sample.elf")], cwd=tmp_path)
    assert "arm64/sample.elf is not in %s" % (tmp_path / "arm64" / "sample.elf") in out, out
    assert str(tree / "arm64" / "sample.elf") in out, out
    assert "objfiles: 0" in out, out


def test_secondary_vcpu_selected():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat, extra=["-smp", "4"]) as qemu:
        out = run_gdb(qemu.port, ["thread 3", "print $pc", "kut-load " + elf, "thread",
                                  "break main", "continue"])
    assert "$1 = (void (*)()) 0x0" in out, out  # a halted secondary CPU
    assert "[Current thread is 3" in out, out   # the user's selection is kept
    assert STOP_IN_MAIN.search(out), out


def first_address_of_line(elf, line):
    """The lowest address of a source line of main.c, from the DWARF line
    table as pyelftools reads it (not from kut-load)."""
    from elftools.elf.elffile import ELFFile
    with open(elf, "rb") as data:
        dwarf = ELFFile(data).get_dwarf_info()
        addresses = [entry.state.address
                     for unit in dwarf.iter_CUs()
                     for entry in dwarf.line_program_for_CU(unit).get_entries()
                     if entry.state and entry.state.line == line
                     and unit.get_top_DIE().get_full_path().endswith("main.c")]
    return min(addresses)


def test_after_the_guest_left_the_boot_loader():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    # Inside mix, past its prologue; QEMU virt loads the image at RAM base + 0x80000.
    mix = 0x40080000 + first_address_of_line(elf, MIX_LINE)
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["hbreak *%#x" % mix, "continue", "kut-load " + elf,
                                  "bt", "print/x sample_magic"])
    assert re.search(r"#0  mix \(.*\) at \S+main\.c:%d" % MIX_LINE, out), out
    assert re.search(r"#2  0x[0-9a-f]+ in main \(", out), out
    assert MAGIC in out, out


def test_attach_to_a_guest_that_already_ran():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    # -no-shutdown: the powered-off guest stays in memory for gdb to attach to.
    with Qemu("aarch64", flat, extra=["-no-shutdown"], paused=False) as qemu:
        # A loaded machine's TCG may take long to get there.
        deadline = time.monotonic() + 120
        while "checksum" not in qemu.console_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "checksum" in qemu.console_text(), "the guest did not print its checksum"
        out = run_gdb(qemu.port, ["kut-load " + elf, "print/x sample_magic",
                                  "print sample_counts[0]+sample_counts[1]+sample_counts[2]"
                                  "+sample_counts[3]+sample_counts[4]+sample_counts[5]"
                                  "+sample_counts[6]+sample_counts[7]"])
    assert MAGIC in out, out
    # main counted each byte of its 27-byte string into .bss
    assert "$2 = 27" in out, out


def test_boot_loader_overwritten_falls_back_and_shows_what_was_read():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        # Past the boot loader, the guest owns that memory and may reuse it.
        out = run_gdb(qemu.port, ["hbreak *0x40080000", "continue",
                                  "set {unsigned int}0x40000014 = 0x14000000",
                                  "kut-load -v " + elf, "break main", "continue"])
    assert "0x40000014: 14000000" in out, out  # the listing shows the bytes read
    assert "loops" in out, out
    assert STOP_IN_MAIN.search(out), out


def test_repeat_and_rebuild_keep_one_copy_and_breakpoints(tmp_path):
    tree = sample_tree(tmp_path)
    elf = str(tree / "arm64" / "sample.elf")
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, [
            "kut-load " + elf, "break mix", "kut-load " + elf,
            "shell touch %s" % elf, "kut-load " + elf,
            count_objfiles("sample.elf"), "continue", "info breakpoints"])
    assert "objfiles: 1" in out, out
    assert STOP_IN_MIX.search(out), out


def patch_main(native, path):
    """A stale build: a different instruction (nop) at main+8; returns main."""
    image = native.ElfImage(str(path))
    main = image.find_symbol("main")
    text = next(s for s in image.sections if s.name == ".text")
    with open(path, "r+b") as data:
        data.seek(text.offset + (main.address - text.address) + 8)
        data.write(b"\x1f\x20\x03\xd5")
    return main


def test_wrong_elf_is_refused_and_nothing_loaded(tmp_path, native):
    stale = tmp_path / "stale.elf"
    shutil.copy(guest_file("arm64", "sample.elf"), stale)
    main = patch_main(native, stale)
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, ["kut-load %s" % stale, count_objfiles("stale.elf"),
                                  "kut-load --force %s" % stale, count_objfiles("stale.elf")])
    refusal = "%s does not match the guest's memory at %#x" % (stale, 0x40080000 + main.address + 8)
    assert refusal in out, out
    assert out.index("objfiles: 0") < out.index("objfiles: 1"), out
    warning = [line for line in out.splitlines() if "loading anyway (--force)" in line]
    assert len(warning) == 1 and refusal in warning[0], out
    assert "use --force" not in warning[0], out  # the advice it already follows


def test_dry_run_prints_the_command_and_loads_nothing():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load --dry-run " + elf, count_objfiles("sample.elf")])
    assert 'add-symbol-file "%s" -o 0x40080000\n' % elf in out, out
    assert "objfiles: 0" in out, out


def test_address_option_is_still_verified():
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load --address 0x40090000 " + elf,
                                  "kut-load --address 0x40080000 " + elf,
                                  "break main", "continue"])
    assert "does not match the guest's memory at 0x40090000" in out, out
    assert STOP_IN_MAIN.search(out), out


def strip_debug(source, target, *extra):
    subprocess.run(["aarch64-linux-gnu-objcopy", "--strip-debug", *extra, source, target],
                   check=True)


def test_missing_dwarf_loads_with_a_warning(tmp_path):
    bare = str(tmp_path / "nodwarf.elf")
    strip_debug(guest_file("arm64", "sample.elf"), bare)
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + bare, "break mix", "continue"])
    assert "has symbols but no debug info" in out and "flat.lds" in out, out
    assert re.search(r"Breakpoint 1, 0x[0-9a-f]+ in mix \(\)", out), out


def test_debuglink_file_beside_the_elf_is_used(tmp_path):
    elf = guest_file("arm64", "sample.elf")
    debug = str(tmp_path / "sample.debug")
    subprocess.run(["aarch64-linux-gnu-objcopy", "--only-keep-debug", elf, debug], check=True)
    stripped = str(tmp_path / "stripped.elf")
    strip_debug(elf, stripped, "--add-gnu-debuglink=" + debug)
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + stripped, "break main", "continue"])
    assert "no debug info" not in out, out
    assert STOP_IN_MAIN.search(out), out


def test_auto_loads_on_connect(tmp_path):
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(0, ["show kut-load auto", "set kut-load auto on",
                          "target remote 127.0.0.1:%d" % qemu.port, "break main", "continue"],
                      connect=False)
    assert "is off." in out, out
    assert STOP_IN_MAIN.search(out), out


def test_replaces_symbols_gdb_read_at_the_link_address():
    # `gdb-multiarch X.elf` reads a PIE's symbols at 0, where nothing runs.
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["file " + elf, "info address main", "kut-load " + elf,
                                  count_objfiles("sample.elf"), "break main", "continue"])
    assert "objfiles: 1" in out, out
    assert STOP_IN_MAIN.search(out), out


def test_address_takes_a_gdb_expression_such_as_the_last_base():
    # kut-load again where the boot code can no longer be read (riscv64 after the guest
    # turned its MMU on): the user gives the base the first load found.
    elf, flat = guest_file("arm64", "sample.elf"), guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, ["kut-load " + elf, "kut-load --address $kut_base " + elf,
                                  "kut-load --address '$kut_base + 0x1000' " + elf,
                                  "print/x sample_magic"])
    # QEMU virt loads the image at RAM base + 0x80000 (hw/arm/boot.c).
    assert "kut-load: %s at 0x40080000 (offset 0x40080000), given with --address" % elf in out, out
    assert "so the image does not start at 0x40081000, the address given" in out, out
    assert MAGIC in out, out
