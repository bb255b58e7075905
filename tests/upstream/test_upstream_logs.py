"""kut-debug on real run_tests.sh -v logs of upstream kvm-unit-tests: in
their tree (through the run script) and copied out of it (kut-debug runs the
log's QEMU command itself). The stop at main is checked against the ELF's
own DWARF (dwarf_oracle, pyelftools); no run may warn that it is not the
logged one. The runs leave ACCEL unset, as a user re-running a log does:
the accelerator must come from the log."""

import configparser
import os
import re
import shutil
import subprocess

import pytest

import dwarf_oracle
import fail_check
import run_logs
import upstream
from upstream import KUT_DEBUG

TIMEOUT = 300
MAIN_STOP = re.compile(r"^(?:Thread \d+ hit )?Breakpoint 1, (?:0x[0-9a-f]+ in )?main \(.*\) "
                       r"at (\S+):(\d+)$", re.M)
QEMU_LINE = re.compile(r"^kut-debug: QEMU: (.*)$", re.M)
NO_ENVIRONMENT = ("running the log's QEMU command without the environment run_tests.sh gave "
                  "the test (-initrd)")
GIC_ELF = "arm/gic.elf"


def user_environment():
    """The caller's environment without ACCEL: the re-run must take the log's."""
    return {name: value for name, value in os.environ.items() if name != "ACCEL"}


def kut_debug(cwd, args):
    """(exit status, stdout + stderr) of kut-debug --batch -v run in cwd."""
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "-v"] + args, cwd=str(cwd),
                          env=user_environment(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT)
    return done.returncode, done.stdout + done.stderr


def assert_stopped_at_main(status, out, elf):
    assert status == 0, out
    stop = MAIN_STOP.search(out)
    assert stop, out
    start = dwarf_oracle.function_start(elf)
    assert start is not None, "%s has no DWARF for main" % elf
    assert start.holds(stop.group(1), int(stop.group(2))), (start, out)
    assert "kut-debug: warning" not in out, out


def started_qemu(out):
    line = QEMU_LINE.search(out)
    assert line, out
    return line.group(1)


def first_qemu_line_of(log):
    """The log's first line that starts with a QEMU program or timeout."""
    with open(log, errors="replace") as text:
        for line in text:
            if line.startswith(("timeout ", "/")):
                return line
    raise AssertionError("no command in %s" % log)


@pytest.fixture(scope="module")
def arm64():
    tree = upstream.tree("arm64")
    return tree, upstream.logs("arm64", ["gicv2-mmio-up"])["gicv2-mmio-up"]


def test_arm64_log_in_its_tree(arm64):
    tree, log = arm64
    status, out = kut_debug(tree, [os.path.relpath(log, tree)])
    assert_stopped_at_main(status, out, os.path.join(tree, GIC_ELF))
    assert "kut-debug: ACCEL=tcg, the accelerator of the logged run (-accel tcg)" in out, out
    assert " -accel tcg " in started_qemu(out)


def test_arm64_log_copied_out_and_run_in_the_tree(arm64, tmp_path):
    tree, log = arm64
    copy = shutil.copy(log, str(tmp_path))
    status, out = kut_debug(tree, [copy])
    assert_stopped_at_main(status, out, os.path.join(tree, GIC_ELF))
    assert NO_ENVIRONMENT not in out, out  # the tree's run script gave it


def test_arm64_log_copied_out_of_the_tree(arm64, tmp_path):
    tree, log = arm64
    shutil.copy(log, str(tmp_path))
    os.mkdir(str(tmp_path / "arm"))
    for name in ("arm/gic.flat", GIC_ELF):
        shutil.copy(os.path.join(tree, name), str(tmp_path / "arm"))
    status, out = kut_debug(tmp_path, ["gicv2-mmio-up.log"])
    assert_stopped_at_main(status, out, os.path.join(tree, GIC_ELF))
    assert "kut-debug: not in a configured kvm-unit-tests tree: " + NO_ENVIRONMENT in out, out
    assert started_qemu(out).startswith("/usr/bin/qemu-system-aarch64 -nodefaults "), out
    assert (tmp_path / "gicv2-mmio-up.console").exists()


def test_arm64_fail_stop_from_a_log_with_qemu_lines(arm64):
    tree, log = arm64
    assert fail_check.has_fail_line(log)
    status, out = kut_debug(tree, ["--fail", os.path.relpath(log, tree)])
    assert status == 0, out
    verdict = fail_check.check_stop(out, tree, log)
    assert verdict.outcome == "stopped at FAIL", (verdict.where, verdict.detail, out)
    assert "kut-debug: warning" not in out, out


def test_run_tests_terminal_output_is_no_log(arm64, tmp_path):
    tree, _ = arm64
    env = run_logs.environment("arm64")
    env["unittest_log_dir"] = str(tmp_path / "logs")
    printed = subprocess.run(["./run_tests.sh", "-v", "gicv2-mmio-up"], cwd=tree, env=env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=TIMEOUT).stdout
    assert "\x1b[31mFAIL\x1b[0m gicv2-mmio-up" in printed, printed
    (tmp_path / "run.txt").write_text(printed)
    status, out = kut_debug(tree, [str(tmp_path / "run.txt")])
    assert (status, out) == (1, "kut-debug: %s is what run_tests.sh printed, not a test's log: "
                                "give logs/gicv2-mmio-up.log, which run_tests.sh -v writes, or "
                                "the test name gicv2-mmio-up\n" % (tmp_path / "run.txt"))


def test_x86_64_tcg_log_is_rerun_under_tcg():
    """Where /dev/kvm is usable x86/run would take KVM, under which gdb's
    software breakpoint at main is no stop."""
    tree = upstream.tree("x86_64")
    log = upstream.logs("x86_64", ["msr"], accel="tcg")["msr"]
    assert " -machine accel=tcg " in first_qemu_line_of(log)
    status, out = kut_debug(tree, [os.path.relpath(log, tree)])
    assert_stopped_at_main(status, out, os.path.join(tree, "x86/msr.elf"))
    assert "kut-debug: ACCEL=tcg, the accelerator of the logged run (-machine accel=tcg)" in out
    assert " -machine accel=tcg " in started_qemu(out), out


def test_arm64_log_with_accelerator_properties_is_rerun_with_them():
    """arm/run's default accelerator has no properties: a re-run that did not
    take the log's differs from it on any host, with /dev/kvm or without."""
    tree = upstream.tree("arm64")
    log = upstream.logs("arm64", ["gicv2-mmio-up"], accel="tcg,thread=single")["gicv2-mmio-up"]
    assert " -accel tcg,thread=single " in first_qemu_line_of(log)
    status, out = kut_debug(tree, [os.path.relpath(log, tree)])
    assert_stopped_at_main(status, out, os.path.join(tree, GIC_ELF))
    assert ("kut-debug: ACCEL=tcg,thread=single, the accelerator of the logged run "
            "(-accel tcg,thread=single)") in out, out
    assert " -accel tcg,thread=single " in started_qemu(out), out


@pytest.fixture(scope="module")
def x86_64_efi():
    tree = upstream.tree("x86_64-efi")
    return tree, upstream.logs("x86_64-efi", ["sieve"], accel="tcg")["sieve"]


def test_x86_64_efi_tcg_log_in_its_tree(x86_64_efi):
    tree, log = x86_64_efi
    status, out = kut_debug(tree, [os.path.relpath(log, tree)])
    assert_stopped_at_main(status, out, os.path.join(tree, "x86/sieve.efi.debug"))
    assert "kut-debug: ACCEL=tcg, the accelerator of the logged run (-machine accel=tcg)" in out
    assert "file.dir=efi-tests/sieve/" in started_qemu(out), out


def test_x86_64_efi_log_copied_out_of_the_tree(x86_64_efi, tmp_path):
    """The log's first command is run_tests.sh's probe (efi-tests/dummy); the
    test's is the next one."""
    tree, log = x86_64_efi
    assert "file.dir=efi-tests/dummy/" in first_qemu_line_of(log)
    shutil.copy(log, str(tmp_path))
    shutil.copytree(os.path.join(tree, "efi-tests", "sieve"), str(tmp_path / "efi-tests" / "sieve"))
    os.mkdir(str(tmp_path / "x86"))
    for name in ("x86/sieve.efi", "x86/sieve.efi.debug"):
        shutil.copy(os.path.join(tree, name), str(tmp_path / "x86"))
    status, out = kut_debug(tmp_path, ["sieve.log"])
    assert_stopped_at_main(status, out, os.path.join(tree, "x86/sieve.efi.debug"))
    assert "file.dir=efi-tests/sieve/" in started_qemu(out), out
    assert " -machine accel=tcg " in started_qemu(out), out


def run_tests_log(tree, config, test, log_dir, **variables):
    """The log run_tests.sh -v writes of test under ACCEL=tcg with variables
    set, in log_dir (run_tests.sh's unittest_log_dir)."""
    env = dict(run_logs.environment(config, "tcg"), unittest_log_dir=str(log_dir), **variables)
    subprocess.run(["./run_tests.sh", "-v", test], cwd=tree, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    return os.path.join(str(log_dir), test + ".log")


def without(names, environ):
    return {name: value for name, value in environ.items() if name not in names}


def test_riscv64_test_named_runs_with_the_cpu_model_of_its_log(tmp_path):
    """riscv/run takes TARGET_CPU_OVERRIDE: a log made with one (QEMU 7.2's
    riscv has no -cpu max) is re-run by name with the same model, unset."""
    tree = upstream.tree("riscv64")
    log = run_tests_log(tree, "riscv64", "selftest", tmp_path, TARGET_CPU_OVERRIDE="rv64")
    assert " -cpu rv64 " in first_qemu_line_of(log)
    env = without(("ACCEL", "TARGET_CPU_OVERRIDE"),
                  dict(os.environ, unittest_log_dir=str(tmp_path)))
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "-v", "selftest"], cwd=tree, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)
    out = done.stdout + done.stderr
    assert_stopped_at_main(done.returncode, out, os.path.join(tree, "riscv/selftest.elf"))
    assert " -cpu rv64 " in started_qemu(out) + " ", out


def test_a_test_whose_logged_qemu_ended_in_the_probe_runs_from_unittests_cfg(tmp_path):
    """run_tests.sh's log of a run whose QEMU never started the test (here
    riscv/run's probe, with a CPU model QEMU has not) holds no command to
    re-run: the test named runs as unittests.cfg says, with the log's end
    named; the log itself given is refused in one line."""
    tree = upstream.tree("riscv64")
    log = run_tests_log(tree, "riscv64", "selftest", tmp_path, TARGET_CPU_OVERRIDE="nonesuch")
    with open(log) as text:
        error = [line for line in text.read().splitlines() if "nonesuch" in line and
                 line.startswith("qemu-system-riscv64: ")]
    assert error, open(log).read()
    env = dict(run_logs.environment("riscv64", "tcg"), unittest_log_dir=str(tmp_path))
    done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "-v", "selftest"], cwd=tree, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)
    out = done.stdout + done.stderr
    assert_stopped_at_main(done.returncode, out, os.path.join(tree, "riscv/selftest.elf"))
    assert error[0].split(": ", 1)[1] in out, out
    refused = subprocess.run([KUT_DEBUG, "--nx", "--batch", log], cwd=tree, env=env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=TIMEOUT)
    assert refused.returncode == 1 and refused.stdout == "", refused
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("kut-debug: " + log)
    assert error[0].split(": ", 1)[1] in refused.stderr and " selftest," in refused.stderr
    assert "Traceback" not in refused.stderr, refused.stderr


def migration_tests(cfg_path):
    """(name, file, test_args) of each test of the migration group in a
    unittests.cfg, read with Python's configparser."""
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    cfg.read(cfg_path)
    return [(name, section["file"], section.get("test_args", "").strip("'\""))
            for name, section in cfg.items()
            if "migration" in section.get("groups", "").split() and "file" in section]


@pytest.mark.parametrize("config, test_dir, qemu, machine", [
    ("arm64", "arm", "qemu-system-aarch64", ["-machine", "virt", "-cpu", "max"]),
    ("ppc64le", "powerpc", "qemu-system-ppc64", ["-machine", "pseries"])])
def test_a_migration_test_given_as_a_command_is_refused_in_one_line(
        config, test_dir, qemu, machine):
    """Without a second QEMU the test waits for its migration forever."""
    tree = upstream.tree(config)
    tests = migration_tests(os.path.join(tree, test_dir, "unittests.cfg"))
    assert tests
    for name, file, test_args in tests:
        command = [qemu] + machine + ["-kernel", os.path.join(test_dir, file)]
        command += ["-append", test_args] if test_args else []
        done = subprocess.run([KUT_DEBUG, "--nx", "--batch", "--"] + command, cwd=tree,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 1 and done.stdout == "", done
        assert done.stderr.count("\n") == 1 and " %s in " % name in done.stderr, done.stderr
