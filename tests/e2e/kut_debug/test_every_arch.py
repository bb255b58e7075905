"""kut-debug from a log on each architecture's sample guest: the QEMU lines
are those of kvm-unit-tests' run scripts (arm/run, riscv/run, x86/run)."""

import os
import re

import pytest

from conftest import guest_file
from sample_output import MAGIC, STOP_IN_MAIN
from session import require
from kut_debug_process import assert_session_gone, run_kut_debug

LOG_LINES = {
    "arm": "timeout -k 1s --foreground 90s {qemu} -nodefaults -machine virt -accel tcg "
           "-cpu cortex-a15 -device virtio-serial-device -device virtconsole,chardev=ctd "
           "-chardev testdev,id=ctd -device pci-testdev -display none -serial stdio "
           "-kernel arm/sample.flat -smp 1 # -initrd /tmp/tmp.a",
    "riscv64": "timeout -k 1s --foreground 90s {qemu} -nodefaults -nographic -serial mon:stdio "
               "-machine virt -accel tcg -cpu rv64 -kernel riscv/sample.flat -smp 1 "
               "# -initrd /tmp/tmp.b",
    "x86_64": "timeout -k 1s --foreground 90s {qemu} --no-reboot -nodefaults -device pc-testdev "
              "-device isa-debug-exit,iobase=0xf4,iosize=0x4 -vnc none -serial stdio "
              "-device pci-testdev -machine accel=tcg -kernel x86/sample.flat -smp 1 "
              "# -initrd /tmp/tmp.c",
}
QEMUS = {"arm": "qemu-system-arm", "riscv64": "qemu-system-riscv64",
         "x86_64": "qemu-system-x86_64"}


@pytest.mark.parametrize("arch", sorted(LOG_LINES))
def test_log_stops_in_main(arch, tmp_path):
    qemu = require(QEMUS[arch])
    require("gdb-multiarch")
    test_dir = re.search(r"-kernel (\w+)/", LOG_LINES[arch]).group(1)
    os.makedirs(str(tmp_path / "logs"))
    os.makedirs(str(tmp_path / test_dir))
    for name in ("sample.flat", "sample.elf"):
        os.symlink(guest_file(arch, name), str(tmp_path / test_dir / name))
    (tmp_path / "logs" / "sample.log").write_text(LOG_LINES[arch].format(qemu=qemu) + "\n")
    try:
        result = run_kut_debug(tmp_path, ["--batch", "--ex", "print/x sample_magic",
                                          "logs/sample.log"])
    finally:
        assert_session_gone(tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert re.search("Breakpoint 1, " + STOP_IN_MAIN.pattern, result.stdout), out
    assert MAGIC in result.stdout, out
