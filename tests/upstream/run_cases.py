"""The test each configuration runs in the upstream tier, started paused by
its own run script, and the stop at main checked against the ELF's own DWARF."""

import os
import re

import dwarf_oracle
import upstream
from run_script import PausedRun
from session import run_gdb

# configuration -> (run script, -kernel file, run script arguments, the test's ELF)
CASES = {
    "arm64": ("arm/run", "arm/gic.flat", ["-smp", "1", "-append", "mmio", "-machine",
                                          "gic-version=2"], "arm/gic.elf"),
    "arm": ("arm/run", "arm/selftest.flat", ["-smp", "1", "-append", "setup smp=1 mem=256",
                                             "-m", "256"], "arm/selftest.elf"),
    "riscv64": ("riscv/run", "riscv/sbi.flat", ["-smp", "1"], "riscv/sbi.elf"),
    "x86_64": ("x86/run", "x86/msr.flat", ["-smp", "1"], "x86/msr.elf"),
    "i386": ("x86/run", "x86/msr.flat", ["-smp", "1"], "x86/msr.elf"),
    "ppc64le": ("powerpc/run", "powerpc/selftest.elf", ["-smp", "1", "-append",
                                                        "setup smp=1 mem=1024", "-m", "1g"],
                "powerpc/selftest.elf"),
    "ppc64be": ("powerpc/run", "powerpc/selftest.elf", ["-smp", "1", "-append",
                                                        "setup smp=1 mem=1024", "-m", "1g"],
                "powerpc/selftest.elf"),
    "s390x": ("s390x/run", "s390x/selftest.elf", ["-smp", "1", "-append", "test 123"],
              "s390x/selftest.elf"),
}

MAIN_STOP = re.compile(r"Breakpoint 1, (?:0x[0-9a-f]+ in )?main \(.*\) at (\S+):(\d+)$", re.M)


def assert_stopped_in_main(out, elf):
    stop = MAIN_STOP.search(out)
    assert stop, out
    start = dwarf_oracle.function_start(elf)
    assert start is not None, "%s has no DWARF for main" % elf
    assert start.holds(stop.group(1), int(stop.group(2))), (start, out)
    assert re.search(r"^#0 +(?:0x[0-9a-f]+ in )?main \(", out, re.M), out


def run(config, commands, main_file=False):
    tree = upstream.tree(config)
    script, kernel, args, elf = CASES[config]
    with PausedRun(tree, config, script, kernel, args) as paused:
        prefix_commands = ["file " + elf] if main_file else []
        out = run_gdb(paused.port, prefix_commands + commands, cwd=tree)
    return out, os.path.join(tree, elf)
