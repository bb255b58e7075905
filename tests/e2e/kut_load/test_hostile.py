"""Hostile and broken input never crashes, hangs or hijacks the user's gdb:
every failure is one line, nothing is half loaded, settings are kept."""

import os
import re
import shutil

from conftest import guest_file
from elf_damage import newline_in_section_name, quote_in_section_name, write_variants
from sample_output import STOP_IN_MAIN
from session import Qemu, run_gdb

COUNT_ALL_OBJFILES = "python print('objfiles:', len(gdb.objfiles()))"


def assert_clean(out):
    assert "Traceback" not in out and "Python Exception" not in out, out
    assert "INJECTED" not in out.replace("echo INJECTED", ""), out


def run_each(port, paths, before=()):
    """Runs kut-load on each path in one gdb; returns {path: its output}."""
    commands = list(before)
    for path in paths:
        commands += ["echo ==BEGIN %s\\n" % path, COUNT_ALL_OBJFILES, "kut-load %s" % path,
                     COUNT_ALL_OBJFILES, "echo ==END\\n"]
    commands += ["show confirm", "echo ALIVE\\n"]
    out = run_gdb(port, commands)
    assert "ALIVE\n" in out, out  # gdb survived every load above
    return out, dict(re.findall(r"==BEGIN (.*?)\n(.*?)==END", out, re.S))


def assert_one_error_nothing_loaded(path, text):
    lines = [line for line in text.splitlines() if not line.startswith("objfiles:")]
    assert len(lines) == 1, (path, text)
    before, after = re.findall(r"^objfiles: (\d+)$", text, re.M)
    assert before == after, (path, text)


def test_bad_files_give_one_line_and_load_nothing(tmp_path):
    directory = tmp_path / "dir.elf"
    directory.mkdir()
    empty = tmp_path / "empty.elf"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.elf"
    noise.write_bytes(os.urandom(4096))
    truncated = tmp_path / "truncated.elf"
    truncated.write_bytes(open(guest_file("arm64", "sample.elf"), "rb").read()[:700])
    paths = [tmp_path / "missing.elf", directory, empty, noise, truncated,
             guest_file("arm64", "sample.flat"), guest_file("riscv64", "sample.elf")]
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out, results = run_each(qemu.port, [str(p) for p in paths],
                                before=["set confirm on"])
    assert_clean(out)
    assert "Whether to confirm potentially dangerous operations is on." in out, out
    for path in paths:
        assert_one_error_nothing_loaded(path, results[str(path)])
    assert "no such file" in results[str(paths[0])]
    assert "is a directory" in results[str(directory)]
    assert "the symbols are in the .elf beside it" in results[paths[5]]
    assert "riscv64" in results[paths[6]] and "aarch64" in results[paths[6]]


def test_files_that_never_end_or_cannot_be_read(tmp_path):
    fifo = tmp_path / "fifo.elf"
    os.mkfifo(fifo)
    secret = tmp_path / "secret.elf"
    shutil.copy(guest_file("arm64", "sample.elf"), secret)
    os.chmod(secret, 0)
    # Root reads anything: as root, run gdb without the capabilities that
    # override file permissions (same user, so any checkout path still works).
    without_override = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                        "--bounding-set=-dac_override,-dac_read_search"]
    out = run_gdb(0, ["kut-load %s" % fifo, "kut-load /dev/zero", "kut-load %s" % secret],
                  connect=False, prefix=without_override if os.geteuid() == 0 else ())
    assert_clean(out)
    assert "%s is not a regular file" % fifo in out, out
    assert "/dev/zero is not a regular file" in out, out
    assert "%s is not readable" % secret in out, out


def test_damaged_elfs_never_crash_gdb(tmp_path):
    variants = write_variants(str(tmp_path), samples=("arm64",))
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out, results = run_each(qemu.port, sorted(variants.values()))
    assert_clean(out)
    assert len(results) == len(variants), out
    for path, text in results.items():
        if "kut-load: %s at" % path not in text:
            assert_one_error_nothing_loaded(path, text)


def test_crafted_section_names_run_no_command(tmp_path):
    witness = tmp_path / "witness"
    sample = open(guest_file("arm64", "sample.elf"), "rb").read()
    crafted = {
        "newline.elf": newline_in_section_name(sample, "shell touch %s" % witness),
        "quote.elf": quote_in_section_name(sample),
    }
    for name, data in crafted.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in crafted]
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out, results = run_each(qemu.port, paths)
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        verbose = run_gdb(qemu.port, ["kut-load -v --dry-run %s" % path for path in paths] +
                          ["kut-load -v %s" % path for path in paths] +
                          ["break main", "continue"])
    assert_clean(out)
    assert not witness.exists(), verbose
    for path in paths:
        assert "kut-load: %s at 0x40080000" % path in results[path], out
    assert "  .data\\nshell touch" in verbose, verbose  # shown escaped, never run
    assert STOP_IN_MAIN.search(verbose), verbose


def test_odd_paths_load_correctly(tmp_path):
    odd = tmp_path / "we ird 'quote\" back\\slash $HOME;echo INJECTED #x"
    odd.mkdir()
    elf = odd / "sample.elf"
    shutil.copy(guest_file("arm64", "sample.elf"), elf)
    typed = str(elf).replace("\\", "\\\\").replace('"', '\\"')
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, ['kut-load "%s"' % typed, "break main", "continue",
                                  "info line *$pc"])
    assert_clean(out)
    assert STOP_IN_MAIN.search(out), out


def test_newline_in_a_file_name_is_refused(tmp_path):
    odd = tmp_path / "x\necho INJECTED\n.elf"
    shutil.copy(guest_file("arm64", "sample.elf"), odd)
    invoke = ("python from kut_load.gdb_commands import KUT_LOAD; "
              "KUT_LOAD.invoke(%r, False)" % ("'%s'" % odd))
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, [invoke, COUNT_ALL_OBJFILES])
    assert "INJECTED\n" not in out.replace("echo INJECTED\n", ""), out
    assert "control character" in out, out
    assert "objfiles: 0" in out, out


def test_bad_options_and_target_states():
    elf = guest_file("arm64", "sample.elf")
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, [
            "kut-load --bogus " + elf, "kut-load --address nowhere " + elf,
            "kut-load --address 0x7fff00000000 " + elf, "continue &", "kut-load " + elf,
            "interrupt", COUNT_ALL_OBJFILES, "echo ALIVE\\n"])
    assert_clean(out)
    assert "unknown option '--bogus'; see 'help kut-load'" in out, out
    assert ("--address nowhere: gdb cannot evaluate it as an address (No symbol table is "
            "loaded. Use the \"file\" command); give a number such as 0x40080000, or an "
            "expression such as $kut_base") in out, out
    assert "cannot read" in out and "0x7fff00000000" in out, out
    assert "the target is running; interrupt it" in out, out
    assert "objfiles: 0" in out and "ALIVE" in out, out


def test_boot_code_that_loops_or_is_unknown_is_reported():
    elf = guest_file("arm64", "sample.elf")
    with Qemu("aarch64", guest_file("arm64", "sample.flat")) as qemu:
        out = run_gdb(qemu.port, [
            "set {unsigned int}0x40000010 = 0x17ffffff", "kut-load -v --dry-run " + elf,
            "set {unsigned int}0x40000010 = 0xffffffff", "kut-load -v --dry-run " + elf])
    assert_clean(out)
    assert "loops back to 0x4000000c" in out, out
    assert "instruction ffffffff at 0x40000010 is not one the decoder follows" in out, out
