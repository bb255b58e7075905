"""The arm64 EFI sample under Debian's UEFI firmware, for the end-to-end tests
that boot it: where its source marks lines, when it runs, its frames."""

import os
import re
import time

import pytest

from conftest import GUESTS_SRC
from guest_source import marker_line
from session import run_gdb

FIRMWARE = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
MAIN_C = os.path.join(GUESTS_SRC, "efi", "main.c")
CALL_LINE = marker_line("call of run_forever", MAIN_C)
# Printed once the sample has left boot services and only loops in its own code.
RUNNING = "efi sample: boot services exited"
# Firmware start-up under TCG takes about 3 s with -kernel and 14 s from the
# UEFI shell on an idle machine; allow for a loaded one.
BOOT_SECONDS = 180
FRAME = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\w+) \(.*\) at (\S+):(\d+)$", re.M)


# EDK2's boot manager, when it finds nothing to boot: a build without the UEFI shell
# (Debian sid's EDK2 2026.08) cannot run startup.nsh.
NO_SHELL = "BdsDxe: No bootable option or device was found."


def wait_until_running(qemu, needs_shell=False):
    # Qemu() checks that the gdb stub listens by connecting to it, and QEMU
    # stops the guest when a debugger connects; a gdb that attaches and
    # detaches lets it run again.
    run_gdb(qemu.port, [], gdbinit=None)
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        console = qemu.console_text()
        if RUNNING in console:
            return
        if needs_shell and NO_SHELL in console:
            version = re.search(r"UEFI firmware \(version ([^)]*)\)", console)
            pytest.skip("this EDK2 (%s) has no UEFI shell to run startup.nsh"
                        % (version.group(1) if version else FIRMWARE))
        assert qemu.process.poll() is None, "QEMU exited: %s" % qemu.console_text()[-2000:]
        time.sleep(0.2)
    raise AssertionError("the EFI sample did not start within %d s: %s"
                         % (BOOT_SECONDS, qemu.console_text()[-2000:]))


def frames(out):
    """(function, file name, line) of each source frame of the last backtrace."""
    last = out.rfind("\n#0 ")
    return [(name, os.path.basename(path), int(line))
            for _, name, path, line in FRAME.findall(out[last:])]
