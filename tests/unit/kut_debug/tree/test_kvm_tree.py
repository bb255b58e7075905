"""kut-debug in a kvm-unit-tests tree: config.mak, and the command run_tests.sh
runs a test with, by unittests.cfg's fields, the environment and the log's run."""

import os
import subprocess

import pytest

from kut_debug.tree import kvm_tree, unittests_cfg
from kut_debug.errors import DebugError
from kvm_unit_tests_files import UNITTESTS_CFG


def tree(efi="n", arch="arm64"):
    return kvm_tree.KvmTree({"ARCH": arch, "TEST_DIR": "arm", "CONFIG_EFI": efi})


def test_config_mak_variables():
    config = kvm_tree.parse_config("SRCDIR=/src\nARCH=arm64\nTEST_DIR=arm\n"
                                   "# comment\nCONFIG_EFI=y\nERRATATXT=errata.txt\n")
    assert config == {"SRCDIR": "/src", "ARCH": "arm64", "TEST_DIR": "arm",
                      "CONFIG_EFI": "y", "ERRATATXT": "errata.txt"}


def test_run_script_command_is_run_tests_shs():
    entry = unittests_cfg.parse(UNITTESTS_CFG)["gicv2-mmio-up"]
    run = kvm_tree.test_run(tree(), entry, {})
    assert run.kernel == "arm/gic.flat"
    # runtime.bash's MAX_SMP: the host's CPUs, lowered while QEMU says they are too many.
    assert run.shell_command == (
        ': "${MAX_SMP:=$(getconf _NPROCESSORS_CONF)}"; while ./arm/run _NO_FILE_4Uhere_ '
        '-smp $MAX_SMP 2>&1 | grep -qi "exceeds max CPUs"; do MAX_SMP=$((MAX_SMP - 1)); done; '
        "TESTNAME=gicv2-mmio-up TIMEOUT=0 MACHINE='' ACCEL='' ./arm/run arm/gic.flat "
        "-smp $((($MAX_SMP < 2)?$MAX_SMP:2)) -machine gic-version=2 -append 'mmio'")
    given = kvm_tree.test_run(tree(), entry, {"MAX_SMP": "4"})
    assert given.shell_command.startswith("TESTNAME=gicv2-mmio-up ")


def test_max_smp_is_lowered_as_run_tests_sh_does(tmp_path, monkeypatch):
    """The preamble, run by bash against a run script whose machine takes 3 CPUs."""
    monkeypatch.chdir(tmp_path)
    os.mkdir("arm")
    with open("arm/run", "w") as script:
        script.write('#!/bin/bash\n[ "$1" = _NO_FILE_4Uhere_ ] && [ "$3" -gt 3 ] && '
                     'echo "Number of SMP CPUs requested (N) exceeds max CPUs supported" >&2\n'
                     'echo "ran $*"\n')
    os.chmod("arm/run", 0o755)
    entry = unittests_cfg.TestEntry("t", file="t.flat", smp="$MAX_SMP")
    command = kvm_tree.test_run(tree(), entry, {}).shell_command
    environ = {key: value for key, value in os.environ.items() if key != "MAX_SMP"}
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=environ)
    host_cpus = int(subprocess.run(["getconf", "_NPROCESSORS_CONF"], capture_output=True,
                                   text=True).stdout)
    expected = min(3, host_cpus)
    assert result.stdout.splitlines()[-1] == "ran arm/t.flat -smp %d" % expected


def test_environment_accel_wins_and_test_args_become_append():
    entry = unittests_cfg.parse(UNITTESTS_CFG)["vmexit_cpuid"]
    entry.check = ""
    run = kvm_tree.test_run(tree(arch="x86_64"), entry, {"MACHINE": "q35"})
    assert run.shell_command == ("TESTNAME=vmexit_cpuid TIMEOUT=0 MACHINE=q35 ACCEL=tcg "
                                 "./arm/run arm/vmexit.flat -smp 1 -append 'cpuid' -cpu max")


def test_efi_build_runs_efi_run_with_the_efi_file():
    run = kvm_tree.test_run(tree(efi="y"), unittests_cfg.parse(UNITTESTS_CFG)["selftest-setup"], {})
    assert run.kernel == "arm/selftest.efi"
    assert " ./arm/efi/run arm/selftest.efi -smp 2 " in run.shell_command


def test_a_test_name_is_quoted_for_the_shell():
    entry = unittests_cfg.TestEntry("a b;touch x", file="x.flat")
    assert kvm_tree.test_run(tree(), entry, {}).shell_command.startswith(
        "TESTNAME='a b;touch x' TIMEOUT=0 ")


@pytest.mark.parametrize("name, environ, message", [
    ("migration-test", {}, "^migration-test in arm/unittests.cfg is a migration test: "),
    ("vmexit_cpuid", {}, "^vmexit_cpuid in arm/unittests.cfg runs on x86_64 only, and this tree "
                         "is built for arm64$"),
    ("selftest-setup", {"TARGET": "kvmtool"}, "^the environment has TARGET=kvmtool: kut-debug "
                                              "runs tests under QEMU's gdb stub only$"),
])
def test_refusals(name, environ, message):
    with pytest.raises(DebugError, match=message):
        kvm_tree.test_run(tree(), unittests_cfg.parse(UNITTESTS_CFG)[name], environ)


def test_accel_and_machine_filters():
    entry = unittests_cfg.parse(UNITTESTS_CFG)["vmexit_cpuid"]
    entry.check = ""
    with pytest.raises(DebugError, match=r"needs ACCEL=tcg, and the environment has ACCEL=kvm$"):
        kvm_tree.test_run(tree(arch="x86_64"), entry, {"ACCEL": "kvm"})
    with pytest.raises(DebugError, match=r"needs MACHINE=q35, and the environment has "
                                         r"MACHINE=pc$"):
        kvm_tree.test_run(tree(arch="x86_64"), entry, {"MACHINE": "pc"})


def test_check_field(tmp_path):
    parameter = tmp_path / "nested"
    parameter.write_text("N\n")
    entry = unittests_cfg.TestEntry("t", file="t.flat", check="%s=Y" % parameter)
    with pytest.raises(DebugError, match=r"^run_tests.sh skips t in arm/unittests.cfg: "
                                         r"\S+nested is not Y"):
        kvm_tree.test_run(tree(), entry, {})
    parameter.write_text("Y\n")
    assert kvm_tree.test_run(tree(), entry, {}).kernel == "arm/t.flat"


def test_find_tree_needs_config_and_run_script(tmp_path):
    assert kvm_tree.find_tree(str(tmp_path)) is None
    (tmp_path / "config.mak").write_text("ARCH=arm64\nTEST_DIR=arm\n")
    assert kvm_tree.find_tree(str(tmp_path)) is None
    os.mkdir(str(tmp_path / "arm"))
    (tmp_path / "arm" / "run").write_text("#!/bin/bash\n")
    assert kvm_tree.find_tree(str(tmp_path)).arch == "arm64"


@pytest.mark.parametrize("arch, test_dir, file", [("ppc64", "powerpc", "selftest.elf"),
                                                  ("s390x", "s390x", "selftest.elf")])
def test_elf_kernels_of_ppc64_and_s390x_are_their_own_symbols(tmp_path, monkeypatch, arch,
                                                              test_dir, file):
    from kut_debug.tree import tree_files
    monkeypatch.chdir(tmp_path)
    os.mkdir(test_dir)
    open(os.path.join(test_dir, file), "w").close()
    entry = unittests_cfg.parse("[selftest-setup]\nfile = %s\n" % file)["selftest-setup"]
    run = kvm_tree.test_run(kvm_tree.KvmTree({"ARCH": arch, "TEST_DIR": test_dir}), entry, {})
    assert run.kernel == "%s/%s" % (test_dir, file)
    assert " ./%s/run %s/%s -smp 1" % (test_dir, test_dir, file) in run.shell_command
    assert tree_files.elf_for_kernel(run.kernel) == run.kernel


def test_configures_run_link_is_preferred(tmp_path):
    (tmp_path / "config.mak").write_text("ARCH=arm64\nTEST_DIR=arm\nCONFIG_EFI=y\n")
    os.makedirs(str(tmp_path / "arm" / "efi"))
    (tmp_path / "arm" / "efi" / "run").write_text("#!/bin/bash\n")
    assert kvm_tree.find_tree(str(tmp_path)).run_script == "arm/efi/run"
    os.symlink("arm/efi/run", str(tmp_path / "arm-run"))  # what ./configure --enable-efi links
    assert kvm_tree.find_tree(str(tmp_path)).run_script == "arm-run"


MIGRATION_CFG = """\
[debug-bp]
file = debug.flat
test_args = bp
groups = debug

[debug-bp-migration]
file = debug.flat
test_args = bp-migration
groups = debug migration

[selftest-migration]
file = selftest-migration.elf
groups = selftest migration

[atomics-migration]
file = atomics.elf
test_args = "migration -m"
groups = migration
"""


def tree_in(tmp_path, cfg, run_script="#!/bin/bash\n"):
    (tmp_path / "config.mak").write_text("ARCH=arm64\nTEST_DIR=arm\n")
    os.mkdir(str(tmp_path / "arm"))
    (tmp_path / "arm" / "run").write_text(run_script)
    (tmp_path / "arm" / "unittests.cfg").write_text(cfg)
    return str(tmp_path)


@pytest.mark.parametrize("kernel, append, migration", [
    ("arm/debug.flat", ["-append", "bp-migration"], "debug-bp-migration"),
    ("arm/atomics.elf", ["-append", "migration -m"], "atomics-migration"),
    ("arm/atomics.elf", ["-append", "migration"], None),
    ("arm/debug.flat", ["-append", "bp"], None),
    ("arm/debug.flat", [], None),
    ("arm/selftest-migration.flat", [], "selftest-migration"),
    ("arm/selftest-migration.flat", ["-append", "skip"], None),
])
def test_a_command_is_known_as_the_migration_test_it_runs(tmp_path, monkeypatch, kernel, append,
                                                          migration):
    tree = tree_in(tmp_path, MIGRATION_CFG)
    argv = ["qemu-system-aarch64", "-machine", "virt", "-kernel", kernel] + append
    monkeypatch.chdir(tree)
    found = kvm_tree.migration_test_run_by(argv)
    assert found == (migration and "%s in arm/unittests.cfg" % migration)
    monkeypatch.chdir(str(tmp_path.parent))
    argv[4] = os.path.join(tree, kernel)
    found = kvm_tree.migration_test_run_by(argv)
    assert found == (migration and "%s in %s/arm/unittests.cfg" % (migration, tree))


RISCV_RUN = "#!/bin/bash\nqemu_cpu=$TARGET_CPU_OVERRIDE\n: \"${qemu_cpu:=$DEFAULT_QEMU_CPU}\"\n"


def test_a_logged_cpu_model_is_carried_where_the_run_script_takes_one(tmp_path):
    path = tree_in(tmp_path, "", RISCV_RUN)
    (tmp_path / "config.mak").write_text("ARCH=riscv64\nTEST_DIR=arm\nDEFAULT_QEMU_CPU=max\n")
    tree = kvm_tree.find_tree(path)
    argv = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-kernel", "x.flat"]
    assert kvm_tree.logged_cpu_override(tree, argv, {}) == ("TARGET_CPU_OVERRIDE", "rv64")
    assert kvm_tree.logged_cpu_override(tree, argv, {"TARGET_CPU_OVERRIDE": "max"}) is None
    assert kvm_tree.logged_cpu_override(tree, argv[:3] + ["-cpu", "max"] + argv[5:], {}) is None
    (tmp_path / "arm" / "run").write_text("#!/bin/bash\n")
    assert kvm_tree.logged_cpu_override(tree, argv, {}) is None
    entry = unittests_cfg.parse("[t]\nfile = t.flat\n")["t"]
    carried = kvm_tree.test_run(tree, entry, {}, None, [("TARGET_CPU_OVERRIDE", "rv64")])
    assert " TARGET_CPU_OVERRIDE=rv64 " in carried.shell_command


X86_CFG = """\
[msr]
file = msr.flat

[vmx]
file = vmx.flat
accel = kvm
"""
TREE = kvm_tree.KvmTree({"ARCH": "x86_64", "TEST_DIR": "x86"}, "/nonexistent")


def run_of(name, environ, log_accel):
    return kvm_tree.test_run(TREE, unittests_cfg.parse(X86_CFG)[name], environ, log_accel)


def test_the_logged_accelerator_unless_the_environment_sets_one():
    assert "ACCEL=tcg " in run_of("msr", {}, "tcg").shell_command
    assert "ACCEL=kvm " in run_of("msr", {"ACCEL": "kvm"}, "tcg").shell_command
    assert "ACCEL='' " in run_of("msr", {}, None).shell_command
    assert "ACCEL=tcg,thread=single " in run_of("msr", {}, "tcg,thread=single").shell_command


def test_a_test_for_another_accelerator_than_the_logged_one():
    with pytest.raises(DebugError) as raised:
        run_of("vmx", {}, "tcg")
    assert str(raised.value) == ("vmx in x86/unittests.cfg needs ACCEL=kvm, and the log's run "
                                 "used ACCEL=tcg; set ACCEL=kvm to run it all the same")
    assert "ACCEL=kvm " in run_of("vmx", {"ACCEL": "kvm"}, "tcg").shell_command
    # run_tests.sh's accel check takes ACCEL's name before its properties.
    assert "ACCEL=kvm,dirty-ring-size=4096 " in \
        run_of("vmx", {"ACCEL": "kvm,dirty-ring-size=4096"}, None).shell_command
