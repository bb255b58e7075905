"""unittests.cfg read as run_tests.sh's for_each_unittest reads it."""

from kut_debug.tree import unittests_cfg
from kvm_unit_tests_files import UNITTESTS_CFG


def test_cfg_fields_as_for_each_unittest_reads_them():
    tests = unittests_cfg.parse(UNITTESTS_CFG)
    assert list(tests) == ["selftest-setup", "gicv2-mmio-up", "migration-test", "vmexit_cpuid"]
    setup = tests["selftest-setup"]
    assert (setup.file, setup.smp, setup.qemu_params, setup.groups) == (
        "selftest.flat", "2", "-m 256 -append 'setup smp=2 mem=256'", ("selftest",))
    assert tests["gicv2-mmio-up"].smp == "$((($MAX_SMP < 2)?$MAX_SMP:2))"
    assert tests["migration-test"].smp == "1"  # the default
    cpuid = tests["vmexit_cpuid"]
    assert (cpuid.test_args, cpuid.qemu_params, cpuid.arch, cpuid.accel, cpuid.machine,
            cpuid.check, cpuid.timeout) == ("'cpuid'", "-cpu max", "x86_64", "tcg", "q35",
                                            "/sys/module/kvm/parameters/nested=Y", "30")
