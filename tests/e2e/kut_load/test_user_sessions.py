"""gdb started the ways users start it, on every architecture: main file
first or not, breakpoints before or after kut-load, `auto on`, copies added
by hand, another test's main file, a firmware main file, a stale debug file.
After each, the session invariants hold, checked through gdb's own API
(session_state.py) against the ELF read with pyelftools:
- each breakpoint enabled before is still enabled, with one location, in the
  function it names in the running image; one on a function the running test
  lacks is named, and kept enabled when gdb left it pending;
- every earlier symbol file is still there, except copies of the test, and
  another test's main file, which kut-load says it replaced;
- confirm, pagination, height, the architecture, byte order, and the selected
  thread and frame are as they were.
A load kut-load refuses leaves the whole state exactly as it was."""

import json
import os
import re
import shutil
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from binutils import tool_for
from conftest import REPO, guest_file
from sample_guests import ARCHES
from sample_output import STOP_IN_MAIN, STOP_IN_MIX
from session import Qemu, gdb_major, opensbi, run_gdb

SESSION_STATE = os.path.join(REPO, "tests", "e2e", "session_state.py")
# gdb -batch turns confirm and pagination off; a user's gdb has them on.
USER_SETTINGS = ["set confirm on", "set pagination on", "set height 50"]
SETTINGS = ("confirm", "pagination", "height", "architecture", "endian")


def code_address(elf, symbol):
    """Where a symbol's code starts: a 64-bit big-endian PowerPC (ELFv1) function
    symbol is a descriptor in .opd, whose first doubleword is the code's address."""
    opd = elf.get_section_by_name(".opd")
    if opd is None or symbol["st_info"]["type"] != "STT_FUNC" or elf.little_endian:
        return symbol["st_value"]
    offset = symbol["st_value"] - opd["sh_addr"]
    return int.from_bytes(opd.data()[offset:offset + 8], "big")


class RunningImage:
    """Where the sample's functions and data are in the guest, from the ELF and the
    address each board loads the image at (sample_guests.ARCHES)."""

    def __init__(self, arch):
        self.path = guest_file(arch, "sample.elf")
        with open(self.path, "rb") as data:
            elf = ELFFile(data)
            start = min(s["sh_addr"] for s in elf.iter_sections()
                        if s["sh_flags"] & 2 and s["sh_type"] != "SHT_NOBITS" and s["sh_size"])
            self.offset = ARCHES[arch][1] - start
            self.text = elf.get_section_by_name(".text")["sh_addr"] + self.offset
            self.functions = {
                symbol.name: (code_address(elf, symbol) + self.offset,
                              code_address(elf, symbol) + self.offset + symbol["st_size"])
                for symbol in elf.get_section_by_name(".symtab").iter_symbols()
                if symbol["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT")}

    def holds(self, function, address):
        low, end = self.functions[function]
        return low <= address < end


def session(arch, before=(), connected=(), load=("kut-load",), after=(), extra=(),
            kernel=None, cwd=None):
    """Runs gdb through one user session; returns (output, states by label).
    kernel: the guest file QEMU is given, by default as the run scripts give it."""
    with Qemu(ARCHES[arch][0], guest_file(arch, kernel or ARCHES[arch][2]), extra=extra) as qemu:
        out = run_gdb(qemu.port, ["source " + SESSION_STATE, *USER_SETTINGS, *before,
                                  "session-state setup",
                                  "target remote 127.0.0.1:%d" % qemu.port, *connected,
                                  "session-state connected", *load,
                                  "session-state loaded", *after], connect=False, cwd=cwd)
    states = {label: json.loads(text)
              for label, text in re.findall(r"^STATE (\S+) (.*)$", out, re.M)}
    assert set(states) == {"setup", "connected", "loaded"}, out
    return out, states


def real(paths):
    return {os.path.realpath(path) for path in paths}


def assert_invariants(out, image, before, after, replaced=()):
    """before: the state kut-load started from; replaced: files it may drop
    besides copies of the test."""
    said = re.search(r"byte order set to (big|little)-endian", out)
    for setting in SETTINGS:
        if setting == "endian" and said:  # changed, and kut-load says so
            assert after[setting] == "The target is set to %s endian." % said[1], out
        else:
            assert after[setting] == before[setting], (setting, out)
    if said:  # the pc read with the other byte order was byte-swapped
        assert after["selection"][:2] == before["selection"][:2], out
    else:
        assert after["selection"] == before["selection"], out
    for earlier in before["breakpoints"]:
        now = next(bp for bp in after["breakpoints"] if bp["number"] == earlier["number"])
        if earlier["enabled"]:
            assert now["enabled"], out
            assert len(now["locations"]) == 1, out
            address, enabled = now["locations"][0]
            assert enabled and image.holds(now["spec"].split()[-1], address), out
    kept = real(before["symbol_files"]) - real(replaced) - {os.path.realpath(image.path)}
    assert real(after["symbol_files"]) == kept | {os.path.realpath(image.path)}, out
    assert after["symbol_files"].count(image.path) == 1, out
    # The test's own symbols answer for the names, code and data, at their place in the guest.
    assert image.holds("main", after["main"]), out
    assert image.holds("sample_magic", after["sample_magic"]), out


def assert_unchanged(out, before, after):
    assert after == before, out


@pytest.fixture(params=sorted(ARCHES))
def arch(request):
    return request.param


def test_main_file_first_and_breakpoints_before_loading(arch):
    image = RunningImage(arch)
    out, states = session(arch, before=["file " + image.path, "break main", "break mix"],
                          after=["continue", "continue"])
    assert_invariants(out, image, states["connected"], states["loaded"])
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out
    assert re.search("Breakpoint 2, " + STOP_IN_MIX.pattern, out), out


def test_breakpoints_after_loading_without_main_file(arch):
    image = RunningImage(arch)
    out, states = session(arch, after=["break main", "continue"])
    assert_invariants(out, image, states["connected"], states["loaded"])
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


def test_auto_on_with_main_file_and_breakpoint(arch):
    image = RunningImage(arch)
    out, states = session(arch, before=["file " + image.path, "break main",
                                        "set kut-load auto on"],
                          load=(), after=["continue"])
    # The load ran at the stop that connecting made: compare with before it.
    setup, loaded = states["setup"], states["loaded"]
    loaded["selection"] = setup["selection"] = None
    assert_invariants(out, image, setup, loaded)
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


def test_copies_added_by_hand_are_replaced(arch):
    image = RunningImage(arch)
    out, states = session(arch, before=["file " + image.path,
                                        "add-symbol-file %s %#x" % (image.path, image.text),
                                        "break main"],
                          load=("kut-load", "kut-load"), after=["continue"])
    assert len(states["connected"]["symbol_files"]) == 2, out
    assert_invariants(out, image, states["connected"], states["loaded"])
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


def test_copy_by_a_relative_name_without_main_file_and_a_file_of_the_users_own(arch,
                                                                               tmp_path):
    if arch == "riscv64" and gdb_major() < 11:
        pytest.skip("gdb 10 sets no riscv breakpoint before connecting without a main file: "
                    "its prologue analysis reads target memory ('Cannot access memory')")
    image = RunningImage(arch)
    # The user's own symbols, under names of their own, far from the test.
    own = str(tmp_path / "own.elf")
    subprocess.run([tool_for(image.path, "objcopy"), "--strip-debug", "--prefix-symbols=own_",
                    image.path, own],
                   check=True)
    directory, name = os.path.split(image.path)
    out, states = session(arch, cwd=directory,
                          before=["add-symbol-file %s %#x" % (name, image.text),
                                  "add-symbol-file %s -o 0x10000000" % own, "break main"],
                          after=["continue"])
    assert len(states["connected"]["symbol_files"]) == 2, out
    assert_invariants(out, image, states["connected"], states["loaded"])
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


def test_load_through_a_symlink_is_replaced_by_the_next_load(tmp_path):
    image = RunningImage("arm64")
    link, stripped = tmp_path / "link.elf", str(tmp_path / "stripped.elf")
    link.symlink_to(image.path)  # gdb names the objfile by the link's target
    subprocess.run([tool_for(image.path, "objcopy"), "--strip-debug", image.path, stripped],
                   check=True)
    out, states = session("arm64", load=("kut-load %s" % link, "kut-load %s" % stripped))
    assert states["loaded"]["symbol_files"] == [stripped], out


def test_another_tests_main_file_is_replaced_and_said(arch, tmp_path):
    image = RunningImage(arch)
    other = str(tmp_path / "other-test.elf")
    shutil.copy(image.path, other)
    out, states = session(arch, before=["file " + other, "break main"], after=["continue"])
    assert ("gdb's main file %s is another test or another build of it; replaced it" % other
            in out), out
    assert_invariants(out, image, states["connected"], states["loaded"], replaced=[other])
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


# gdb cannot re-set a breakpoint on a function the new main file lacks, and
# disables it: with no location left (arm64's PIE moves), or at its old
# address (x86_64's ELF is linked where it runs), where other code is now.
@pytest.mark.parametrize("arch, pending", [("arm64", True), ("x86_64", False)])
def test_a_breakpoint_the_running_test_lacks_is_named(arch, pending):
    image = RunningImage(arch)
    other = guest_file(arch, "checks-fail.elf")  # another test, with a report()
    out, states = session(arch, before=["file " + other, "break main", "break report"],
                          after=["continue"])
    [report] = [bp for bp in states["loaded"]["breakpoints"] if bp["spec"] == "report"]
    if pending:
        assert report["enabled"] and report["locations"] == [], out
        said = "breakpoint 2 (report) is in none of %s's functions; it stays enabled, pending"
    else:
        assert not report["enabled"], out
        said = "gdb could not re-set breakpoint 2 (report) in %s's symbols and disabled it"
    assert said % image.path in out, out
    assert real(states["loaded"]["symbol_files"]) == real([image.path]), out
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


def test_auto_on_with_another_tests_main_file(arch, tmp_path):
    image = RunningImage(arch)
    other = str(tmp_path / "other-test.elf")
    shutil.copy(image.path, other)
    out, states = session(arch, before=["file " + other, "break mix", "set kut-load auto on"],
                          load=(), after=["continue"])
    setup, loaded = states["setup"], states["loaded"]
    loaded["selection"] = setup["selection"] = None
    assert ("gdb's main file %s is another test or another build of it; replaced it" % other
            in out), out
    assert_invariants(out, image, setup, loaded, replaced=[other])
    assert re.search("Breakpoint 1, " + STOP_IN_MIX.pattern, out), out


def test_selected_thread_is_kept(arch):
    image = RunningImage(arch)
    out, states = session(arch, before=["file " + image.path, "break main"],
                          connected=["thread 2"], extra=["-smp", "2"])
    assert states["connected"]["selection"][0] == 2, out
    assert_invariants(out, image, states["connected"], states["loaded"])


def test_outer_frame_selected_when_loading_again(arch):
    image = RunningImage(arch)
    out, states = session(arch, connected=["kut-load", "break mix", "continue", "up"])
    assert states["connected"]["selection"][1] == 1, out
    assert image.holds("compute_checksum", states["connected"]["selection"][2]), out
    assert_invariants(out, image, states["connected"], states["loaded"])


def test_refused_load_leaves_everything_as_it_was(arch):
    image = RunningImage(arch)
    wrong = ARCHES[arch][1] + 0x1000
    out, states = session(arch, before=["file " + image.path,
                                        "add-symbol-file %s %#x" % (image.path, image.text),
                                        "break main"],
                          load=["kut-load --address %#x %s" % (wrong, image.path)])
    assert re.search("(does not|cannot) start at %#x, the address given" % wrong, out), out
    assert_unchanged(out, states["connected"], states["loaded"])


def test_a_main_file_of_another_architecture_is_named_as_the_cause():
    # gdb keeps the main file's architecture when QEMU reports another, and says
    # so only in a warning at 'target remote'.
    image = RunningImage("arm64")
    other_kind = guest_file("x86_64", "sample.elf")
    out, states = session("arm64", before=["file " + other_kind, "break main"],
                          load=["kut-load " + image.path])
    assert ("%s is built for aarch64, but the target is x86-64; if QEMU's guest is aarch64, "
            "gdb's architecture (taken from gdb's main file %s) is not QEMU's: run 'file' "
            "with no argument" % (image.path, other_kind)) in out, out
    assert_unchanged(out, states["connected"], states["loaded"])


def test_refusal_keeps_an_outer_frame_selected(arch):
    image = RunningImage(arch)
    wrong = ARCHES[arch][1] + 0x1000
    out, states = session(arch, connected=["kut-load", "break mix", "continue", "up"],
                          load=["kut-load --address %#x %s" % (wrong, image.path)])
    assert states["connected"]["selection"][:2] == [1, 1], out
    assert re.search("(does not|cannot) start at %#x" % wrong, out), out
    assert_unchanged(out, states["connected"], states["loaded"])


def test_stale_debug_file_is_not_used_and_said(arch, tmp_path):
    image = RunningImage(arch)
    objcopy = tool_for(image.path, "objcopy")
    debug, stripped = str(tmp_path / "sample.debug"), str(tmp_path / "sample.elf")
    subprocess.run([objcopy, "--only-keep-debug", image.path, debug], check=True)
    subprocess.run([objcopy, "--strip-debug", "--add-gnu-debuglink=" + debug, image.path,
                    stripped], check=True)
    # Another build's debug file under the same name: its CRC differs.
    subprocess.run([objcopy, "--only-keep-debug", "--add-section", ".comment=" + debug,
                    image.path, debug], check=True)
    out, _ = session(arch, load=["kut-load " + stripped], after=[
        "break main", "continue",
        "python print('objfiles:', [o.filename for o in gdb.objfiles()])"])
    assert "%s is not %s's debug file (its CRC differs" % (debug, stripped) in out, out
    assert re.search(r"Breakpoint 1, 0x[0-9a-f]+ in main \(\)", out), out  # no file:line
    assert debug not in out.split("objfiles:")[-1], out


def test_firmware_main_file_and_bios_stay():
    """OpenSBI given with -bios, and its ELF as gdb's main file at its own
    addresses: the test is still told apart, and the firmware stays."""
    image = RunningImage("riscv64")
    firmware = opensbi("fw_jump.elf")
    out, states = session("riscv64", before=["file " + firmware],
                          after=["break main", "continue"],
                          extra=["-bios", opensbi("fw_dynamic.bin")])
    assert_invariants(out, image, states["connected"], states["loaded"])
    assert firmware in states["loaded"]["symbol_files"], out
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, out), out


def test_main_file_at_the_tests_place_but_no_test_is_refused(tmp_path):
    image = RunningImage("arm64")
    blob = str(tmp_path / "blob.elf")
    subprocess.run([tool_for(image.path, "objcopy"), "--change-addresses", "%#x" % image.offset,
                    "--strip-symbol", "main", image.path, blob], check=True)
    out, states = session("arm64", before=["file " + blob, "break mix"])
    assert "gdb's main file %s has section" % blob in out, out
    assert_unchanged(out, states["connected"], states["loaded"])


def test_dry_run_prints_what_would_replace_the_main_file_and_copies(arch):
    image = RunningImage(arch)
    out, states = session(arch, before=["file " + image.path,
                                        "add-symbol-file %s %#x" % (image.path, image.text)],
                          load=["kut-load --dry-run"])
    assert ('symbol-file "%s" -o %#x\nremove-symbol-file "%s"\n'
            % (image.path, image.offset, image.path)) in out, out
    assert_unchanged(out, states["connected"], states["loaded"])
