"""kut-load and kut-debug on real upstream EFI tests under Debian's firmware:
arm64 from EDK2's UEFI shell (arm/efi/run), x86_64 under OVMF (x86/efi/run,
TCG: OVMF does not boot under this machine's KVM) and riscv64 under U-Boot
(no EDK2 for RISC-V in Debian, so no riscv/efi/run). gdb attaches while the
test runs, and the frames it shows are checked against addr2line on the
test's X.efi.debug at the address the test prints on its console."""

import functools
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest
from elftools.elf.elffile import ELFFile

import dwarf_oracle
import upstream
from run_script import ADDRESS, BOOT_SECONDS, PausedRun, Running, script_run
from session import run_gdb
from kut_debug_process import run_kut_debug, started

UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
ADDR2LINE = {"arm64-efi": "aarch64-linux-gnu-addr2line", "x86_64-efi": "addr2line",
             "riscv64-efi": "riscv64-linux-gnu-addr2line"}
FRAMES_PY = """\
import gdb
frame = gdb.newest_frame()
while frame is not None:
    sal = frame.find_sal()
    print("FRAME %#x %d %s %s %d" % (frame.pc(), frame.type() == gdb.INLINE_FRAME,
          frame.name(), sal.symtab.filename if sal.symtab else "?", sal.line))
    frame = frame.older()
"""


def link_address(debug_file, name):
    with open(debug_file, "rb") as stream:
        symbols = ELFFile(stream).get_section_by_name(".symtab").get_symbol_by_name(name)
    assert symbols, "%s has no symbol %s" % (debug_file, name)
    return symbols[0]["st_value"]


def addr2line(config, debug_file, link_address):
    """[(function, file base name, line)] of the address, innermost first."""
    out = subprocess.run([ADDR2LINE[config], "-f", "-i", "-e", debug_file, "%#x" % link_address],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return [(function, os.path.basename(place.split(":")[0]),
             int(place.split(":")[1].split()[0]))
            for function, place in zip(out[0::2], out[1::2]) if ":" in place
            and place.split(":")[1].split()[0].isdigit()]


def gdb_frames(out):
    return [(int(pc, 16), inline == "1", name, file, int(line))
            for pc, inline, name, file, line in
            re.findall(r"^FRAME (0x[0-9a-f]+) (\d) (\S+) (\S+) (\d+)$", out, re.M)]


def assert_frames_match_addr2line(config, out, debug_file, base):
    """Each physical frame (its inline frames, then the function they are in)
    against addr2line -i at its pc, or pc - 1 for a caller, as gdb looks up."""
    frames = [f for f in gdb_frames(out) if f[3] != "?"]
    checked, group, first = 0, [], True
    for frame in frames:
        group.append(frame)
        if frame[1]:
            continue
        pc = group[0][0] - (0 if first else 1)
        expected = addr2line(config, debug_file, pc - base)
        shown = [(name, os.path.basename(file), line) for _, _, name, file, line in group]
        if first:
            # At a stop inside a statement, gdb 16 names the is_stmt row and addr2line
            # the last row at the pc (riscv's __mmu_enable: 113 against 112): compare
            # the functions and files there; callers' lines are compared in full.
            shown = [place[:2] for place in shown]
            expected = [place[:2] for place in expected]
        assert shown == expected[:len(shown)], (shown, expected, out)
        checked += len(group)
        group, first = [], False
    assert checked >= 1, out


def attach_and_check(config, running, efi, gdb_cwd, load="kut-load"):
    tree = upstream.tree(config)
    debug_file = os.path.join(tree, efi + ".debug")
    try:
        # The test prints where its _text is: ImageBase plus _text's link address.
        base = running.attach() - link_address(debug_file, "_text")
        with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
            script.write(FRAMES_PY)
            script.flush()
            out = run_gdb(running.port, [load, "bt", "source " + script.name,
                                         "info symbol $pc"], cwd=gdb_cwd, timeout=240)
    finally:
        running.close()
    assert re.search(r"^kut-load: \S*%s\.debug at %#x " % (re.escape(efi), base), out,
                     re.M), out
    assert_frames_match_addr2line(config, out, debug_file, base)
    innermost = [f for f in gdb_frames(out) if not f[1]][0]
    physical = addr2line(config, debug_file, innermost[0] - base)[-1][0]
    assert re.search(r"^%s(?: \+ \d+)? in section \.text(?: of \S+%s\.debug)?$"
                     % (re.escape(physical), re.escape(efi)), out, re.M), out


# How an upstream test ends before it prints its address (lib/report.c, libcflat's assert).
# The test's own early end, or EDK2's boot manager finding nothing to boot: a build
# without the UEFI shell (Debian sid's 2026.08) never runs arm/efi/run's startup.nsh.
EARLY_END = re.compile(rb"^.*(?:assert failed|ABORT:|EXIT: STATUS=|No bootable option or device "
                       rb"was found).*$", re.M)


@functools.lru_cache(maxsize=None)
def early_end(config, script, efi):
    """The console line with which the test ends before printing its address,
    run once without gdb under this machine's firmware; None if it prints it."""
    running = script_run(config, script, efi, ["-smp", "1"])
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline and running.process.poll() is None:
            text = running.text()
            if ADDRESS.search(text):
                return None
            ended = EARLY_END.search(text)
            if ended:
                return ended.group().decode(errors="replace").strip()
            time.sleep(0.05)
        return None
    finally:
        running.close()


def expect_upstream_to_run(config, script, efi):
    """An expected failure where the upstream test itself fails under this
    firmware: Debian 13's EDK2 2025.02 makes arm/*.efi assert in lib/arm/setup.c,
    and sid's has no UEFI shell to start it."""
    ended = early_end(config, script, efi)
    if ended:
        pytest.xfail("upstream %s ends before it prints its address under this "
                     "firmware: %s" % (efi, ended))


def test_arm64_timer_from_the_uefi_shell():
    # The case that was refused: timer.efi.debug's sections end past the PE image.
    expect_upstream_to_run("arm64-efi", "arm/efi/run", "arm/timer.efi")
    running = script_run("arm64-efi", "arm/efi/run", "arm/timer.efi", ["-smp", "1"])
    attach_and_check("arm64-efi", running, "arm/timer.efi", upstream.tree("arm64-efi"),
                     load="kut-load arm/timer.efi")


def test_x86_64_sieve_under_ovmf_with_no_argument():
    running = script_run("x86_64-efi", "x86/efi/run", "x86/sieve.efi")
    attach_and_check("x86_64-efi", running, "x86/sieve.efi", upstream.tree("x86_64-efi"))


def test_riscv64_sieve_under_u_boot_with_no_argument(tmp_path):
    # No debug image table under Debian's U-Boot: the PE header below the pc finds it.
    assert os.path.isfile(UBOOT), "%s is missing: install u-boot-qemu" % UBOOT
    tree = upstream.tree("riscv64-efi")
    disk = tmp_path / "efi-tests" / "sieve" / "EFI" / "BOOT"
    disk.mkdir(parents=True)
    shutil.copy(os.path.join(tree, "riscv", "sieve.efi"), disk / "BOOTRISCV64.EFI")
    running = Running(["qemu-system-riscv64", "-machine", "virt", "-nodefaults", "-display",
                       "none", "-serial", "stdio", "-kernel", UBOOT, "-m", "256", "-drive",
                       "file=fat:rw:%s,format=raw,if=virtio" % (tmp_path / "efi-tests" / "sieve")],
                      str(tmp_path))
    attach_and_check("riscv64-efi", running, "riscv/sieve.efi", tree,
                     load="kut-load riscv/sieve.efi")


MAIN_STOP = re.compile(r"^Breakpoint 1, main \(.*\) at (\S+):(\d+)$", re.M)


def assert_kut_debug_reached_main(config, efi, args, env=None):
    """kut-debug ARGS --batch in the tree stops at main, where the DWARF (read
    with pyelftools) puts it, in the image at the address the test printed."""
    tree = upstream.tree(config)
    debug_file = os.path.join(tree, efi + ".debug")
    result = run_kut_debug(tree, ["--batch"] + args, env=env, timeout=420)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    stop = MAIN_STOP.search(result.stdout)
    assert stop, out
    start = dwarf_oracle.function_start(debug_file)
    assert start.holds(stop.group(1), int(stop.group(2))), (start, out)
    loaded = re.search(r"^kut-load: \S+/%s\.debug at (0x[0-9a-f]+) " % re.escape(efi),
                       result.stdout, re.M)
    assert loaded, out
    pid, _, console = started(result.stderr)
    with open(os.path.join(tree, console), "rb") as text:
        printed = ADDRESS.search(text.read())
    assert printed, "the test printed no address before main"
    assert int(printed.group(1), 16) == int(loaded.group(1), 16) + link_address(
        debug_file, "_text"), out
    assert not os.path.exists("/proc/%d/cmdline" % pid) or \
        b"qemu" not in open("/proc/%d/cmdline" % pid, "rb").read(), "QEMU outlived kut-debug"


def log_of(config, test):
    return os.path.relpath(upstream.logs(config, [test])[test], upstream.tree(config))


def test_kut_debug_arm64_timer_log():
    expect_upstream_to_run("arm64-efi", "arm/efi/run", "arm/timer.efi")
    assert_kut_debug_reached_main("arm64-efi", "arm/timer.efi", [log_of("arm64-efi", "timer")])


def test_kut_debug_arm64_timer_by_name():
    expect_upstream_to_run("arm64-efi", "arm/efi/run", "arm/timer.efi")
    assert_kut_debug_reached_main("arm64-efi", "arm/timer.efi", ["timer"])


def test_kut_debug_x86_64_sieve_log():
    assert_kut_debug_reached_main("x86_64-efi", "x86/sieve.efi",
                                  [log_of("x86_64-efi", "sieve")])


def test_kut_debug_x86_64_sieve_by_name():
    assert_kut_debug_reached_main("x86_64-efi", "x86/sieve.efi", ["sieve"],
                                  env=dict(os.environ, ACCEL="tcg"))


def test_kut_debug_riscv64_under_u_boot_refuses_once_the_test_runs(tmp_path):
    # riscv/efi/run needs an EDK2 Debian lacks; under U-Boot, started by hand,
    # the test cannot be stopped before it runs, and kut-debug says so.
    tree = upstream.tree("riscv64-efi")
    disk = tmp_path / "disk" / "EFI" / "BOOT"
    disk.mkdir(parents=True)
    shutil.copy(os.path.join(tree, "riscv", "sieve.efi"), disk / "BOOTRISCV64.EFI")
    result = run_kut_debug(tree, [
        "--batch", "--elf", "riscv/sieve.efi.debug", "--", "qemu-system-riscv64", "-machine",
        "virt", "-nodefaults", "-display", "none", "-serial", "stdio", "-kernel", UBOOT,
        "-m", "256", "-drive", "file=fat:rw:%s,format=raw,if=virtio" % (tmp_path / "disk")],
        timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert re.search(r"^u-boot\.bin started \S+/riscv/sieve\.efi at 0x[0-9a-f]+ without making "
                     r"an EFI debug image table, so it cannot be stopped before it runs; it is "
                     r"stopped in the test now: run kut-load to load its symbols there$",
                     out, re.M), out
    assert "kut-load:" not in out and "Traceback" not in out and "Breakpoint" not in out, out


def efi_start_session(commands, main_file=None, setting=None):
    """gdb started the way a user does for arm/selftest.efi under arm/efi/run:
    its own settings, the main file, breakpoints, then target remote and the
    firmware wait; returns all gdb printed."""
    expect_upstream_to_run("arm64-efi", "arm/efi/run", "arm/selftest.efi")
    tree = upstream.tree("arm64-efi")
    running = PausedRun(tree, "arm64-efi", "arm/efi/run", "arm/selftest.efi",
                        ["-smp", "1", "-append", "setup"])
    with running as paused:
        before = ([setting] if setting else []) + (["file " + main_file] if main_file else [])
        return run_gdb(paused.port, before + commands[:1] + [
            "target remote 127.0.0.1:%d" % paused.port] + commands[1:], cwd=tree, timeout=400,
                       connect=False)


STRAY_INTERRUPT = "Program received signal SIGINT"


def test_firmware_wait_holds_a_main_file_breakpoint_until_the_test_is_loaded():
    # break main at selftest.efi.debug's link address is inside the firmware's flash.
    out = efi_start_session(["break main", "kut-debug-efi-start arm/selftest.efi",
                             "info breakpoints", "kut-load", "continue", "bt",
                             "show can-use-hw-watchpoints"],
                            main_file="arm/selftest.efi.debug",
                            setting="set can-use-hw-watchpoints 0")
    assert re.search(r"^kut-debug: the firmware loaded arm/selftest\.efi at 0x[0-9a-f]+; it has "
                     r"not started yet$", out, re.M), out
    assert re.search(r"^1\s+breakpoint\s+keep y\s", out, re.M), out
    stop = MAIN_STOP.search(out)
    assert stop, out
    debug_file = os.path.join(upstream.tree("arm64-efi"), "arm/selftest.efi.debug")
    assert dwarf_oracle.function_start(debug_file).holds(stop.group(1), int(stop.group(2))), out
    assert STRAY_INTERRUPT not in out and "stopped before" not in out, out
    assert "Debugger's willingness to use watchpoint hardware is 0." in out, out


# The instruction words at 0xf030 of the EDK2 builds whose code there is known to run again
# and again before the firmware loads the test: Debian 12's and Debian 13's QEMU_EFI.fd.
REPEATING_AT_0XF030 = {0xf2aa0ac1, 0x540000e0}
EDK2_AARCH64 = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"


def test_a_firmware_breakpoint_of_the_users_ends_the_wait_named_and_no_interrupt_outlives_it():
    # No symbols: *0xf030 is the firmware's own code, which runs again and again.
    with open(EDK2_AARCH64, "rb") as firmware:
        firmware.seek(0xf030)
        word = int.from_bytes(firmware.read(4), "little")
    if word not in REPEATING_AT_0XF030:
        pytest.skip("%s has other code at 0xf030 (%#010x) than the EDK2 builds this test knows "
                    "to run there repeatedly" % (EDK2_AARCH64, word))
    out = efi_start_session(["break *0xf030", "kut-debug-efi-start arm/selftest.efi",
                             "continue", "delete", "kut-debug-efi-start arm/selftest.efi"])
    named = re.search(r"^the guest stopped at breakpoint 1 \(\*0xf030\), at 0xf030 in the "
                      r"firmware, before the firmware loaded arm/selftest\.efi: continue, or run "
                      r"kut-debug-efi-start again to go on waiting$", out, re.M)
    assert named, out
    # The user's continue stops at their breakpoint again, not at an interrupt of the wait's.
    assert re.search(r"^Breakpoint 1, 0x0+f030 in \?\? \(\)$", out[named.end():], re.M), out
    assert STRAY_INTERRUPT not in out, out
    assert re.search(r"^kut-debug: the firmware loaded arm/selftest\.efi at 0x[0-9a-f]+; it has "
                     r"not started yet$", out, re.M), out


# The selected frame's integer-typed arguments and locals that hold a value, innermost
# block first, as "kut-value NAME=VALUE" lines: read in the session, from the DWARF.
VALUES_PY = (
    "frame = gdb.selected_frame()\n"
    "block = frame.block()\n"
    "seen = set()\n"
    "kinds = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR)\n"
    "while block is not None and not block.is_static:\n"
    "    for symbol in block:\n"
    "        if symbol.name in seen or not (symbol.is_variable or symbol.is_argument):\n"
    "            continue\n"
    "        seen.add(symbol.name)\n"
    "        if symbol.type.strip_typedefs().code not in kinds:\n"
    "            continue\n"
    "        value = symbol.value(frame)\n"
    "        if not value.is_optimized_out:\n"
    "            print('kut-value %s=%d' % (symbol.name, int(value)))\n"
    "    if block.function is not None:\n"
    "        break\n"
    "    block = block.superblock\n")
STOP_MARK = "kut-test-stop"


def frame_values(config, log, stops, env):
    """[{name: value}] of the selected frame at main and at each of `stops`
    failure stops of kut-debug --fail LOG (the same run, continued)."""
    tree = upstream.tree(config)
    read = ["--ex", "python exec(%r)" % VALUES_PY]
    args = ["--batch", "--break", "main", "--ex", "echo %s\\n" % STOP_MARK] + read + [
        "--ex", "kut-break-fail --log " + log]
    for _ in range(stops):
        args += ["--ex", "continue", "--ex", "echo %s\\n" % STOP_MARK] + read
    result = run_kut_debug(tree, args + [log], env=env, timeout=420)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    parts = result.stdout.split(STOP_MARK + "\n")[1:]
    assert len(parts) == stops + 1, out
    return [dict(re.findall(r"^kut-value (\w+)=(-?\d+)$", part, re.M)) for part in parts], out


@pytest.mark.parametrize("efi_config, elf_config, test, efi", [
    ("arm64-efi", "arm64", "gicv2-mmio-up", "arm/gic.efi"),
    ("x86_64-efi", "x86_64", "msr", "x86/msr.efi")])
def test_efi_frames_show_the_values_of_the_elf_build(efi_config, elf_config, test, efi):
    """The same test built as ELF and as EFI fails the same checks: at each
    failure, every integer the test's frame shows in both builds is the same.
    arm64's .efi.debug has no call frame information; x86_64's has .eh_frame."""
    if efi_config == "arm64-efi":
        expect_upstream_to_run(efi_config, "arm/efi/run", efi)
    env = dict(os.environ, ACCEL="tcg")
    elf_log = upstream.logs(elf_config, [test])[test]
    efi_log = upstream.logs(efi_config, [test])[test]
    with open(elf_log) as elf_text, open(efi_log) as efi_text:
        failures = [line for line in elf_text if line.startswith("FAIL: ")]
        efi_failures = [line for line in efi_text if line.startswith("FAIL: ")]
    if not failures or failures != efi_failures:
        pytest.skip("under this QEMU the two builds of %s do not fail the same checks (ELF: %d "
                    "FAIL lines, EFI: %d)" % (test, len(failures), len(efi_failures)))
    elf_values, elf_out = frame_values(elf_config, elf_log, len(failures), env)
    efi_values, efi_out = frame_values(efi_config, efi_log, len(failures), env)
    # At main (stop 0) the frame is the innermost, read from the registers as they are,
    # and the builds differ (EFI's argc counts no program name): the failures are compared.
    compared = 0
    for stop in range(1, len(failures) + 1):
        elf_frame, efi_frame = elf_values[stop], efi_values[stop]
        for name in sorted(set(elf_frame) & set(efi_frame)):
            assert elf_frame[name] == efi_frame[name], (stop, name, elf_out, efi_out)
            compared += 1
    assert compared >= len(failures), (elf_values, efi_values, efi_out)
