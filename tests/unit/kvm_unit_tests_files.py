"""Files as kvm-unit-tests writes them, with the lines copied from real ones:
logs of run_tests.sh -v (Debian QEMU's own lines above the command, EFI
firmware's terminal codes and probe runs), run_tests.sh's own output, and
unittests.cfg."""

GTK = "qemu: module ui-ui-gtk not found, do you want to install qemu-system-gui package?\n"
SDL = "qemu: module ui-ui-sdl not found, do you want to install qemu-system-gui package?\n"
# Upstream arm64 logs/gicv2-mmio-up.log, QEMU 7.2 TCG (lines 1-3, 24-33).
GIC_COMMAND = ("timeout -k 1s --foreground 90s /usr/bin/qemu-system-aarch64 -nodefaults -machine"
               " virt -accel tcg -cpu max -device virtio-serial-device -device"
               " virtconsole,chardev=ctd -chardev testdev,id=ctd -device pci-testdev -display none"
               " -serial stdio -kernel arm/gic.flat -smp 1 -append mmio -machine gic-version=2"
               " # -initrd /tmp/tmp.RDYMRnKh7L")
GIC_LOG = GTK + SDL + GIC_COMMAND + "\n" + """\
INFO: gicv2: mmio: number of implemented SPIs: 256
PASS: gicv2: mmio: ITARGETSR: bits for non-existent CPUs masked
INFO: gicv2: mmio: ITARGETSR: 31 non-existent CPUs
PASS: gicv2: mmio: ITARGETSR: accesses beyond limit RAZ/WI
FAIL: gicv2: mmio: ITARGETSR: register content preserved
INFO: gicv2: mmio: ITARGETSR: writing 01010001 reads back 00000001
PASS: gicv2: mmio: ITARGETSR: byte reads successful
FAIL: gicv2: mmio: ITARGETSR: byte writes successful
INFO: gicv2: mmio: ITARGETSR: writing 0x1f into bits 15:8 reads back 0x00
SUMMARY: 17 tests, 2 unexpected failures

EXIT: STATUS=3
"""
# Upstream x86_64 EFI logs/sieve.log: run_tests.sh's probe, which x86/efi/run runs from
# efi-tests/dummy, then the test; OVMF clears the screen in front of its first line.
OVMF = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01H\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01H"
EFI_COMMAND = ("timeout -k 1s --foreground 180 /usr/bin/qemu-system-x86_64 --no-reboot -nodefaults"
               " -global kvm-pit.lost_tick_policy=discard -device pc-testdev -device"
               " isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio -device"
               " pci-testdev -machine accel=tcg -drive"
               " file=/usr/share/ovmf/OVMF.fd,format=raw,if=pflash,readonly=on -drive"
               " file.dir=efi-tests/%s/,file.driver=vvfat,file.rw=on,format=raw,if=virtio"
               " -net none -nographic -m 256 -smp 1 -smp 1 ")
BDS = 'BdsDxe: loading Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x3,0x0)\r\n'
SIEVE_LOG = (EFI_COMMAND % "dummy" + "\n" + OVMF + BDS + "Address of image is: 0xd766000\r\n"
             "Dummy Hello World!\n" + EFI_COMMAND % "sieve" + "\n" + OVMF + BDS +
             "Address of image is: 0xd57d000\r\nstarting sieve\r\n")
# Upstream x86_64 logs/msr.log under ACCEL=tcg.
MSR_COMMAND = ("timeout -k 1s --foreground 90s /usr/bin/qemu-system-x86_64 --no-reboot -nodefaults"
               " -global kvm-pit.lost_tick_policy=discard -device pc-testdev -device"
               " isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio -device"
               " pci-testdev -machine accel=tcg -kernel x86/msr.flat -smp 1"
               " -cpu max,vendor=GenuineIntel # -initrd /tmp/tmp.mucDn3rP13")
# What ./run_tests.sh -v gicv2-mmio-up prints on stdout: its eval'd command, its summary.
RUN_TESTS_STDOUT = ("TESTNAME=gicv2-mmio-up TIMEOUT=90s MACHINE= ACCEL=tcg ./arm/run arm/gic.flat"
                    " -smp 1 -append mmio -machine gic-version=2\n"
                    "\x1b[31mFAIL\x1b[0m gicv2-mmio-up (17 tests, 2 unexpected failures)\n")

# Fields as upstream's arm/unittests.cfg and x86/unittests.cfg write them.
UNITTESTS_CFG = """\
##############################################################################
# unittest configuration
##############################################################################

[selftest-setup]
file = selftest.flat
smp = 2
extra_params = -m 256 -append 'setup smp=2 mem=256'
groups = selftest

[gicv2-mmio-up]
file = gic.flat
smp = $((($MAX_SMP < 2)?$MAX_SMP:2))
extra_params = -machine gic-version=2 -append 'mmio'
groups = gic

[migration-test]
file = selftest-migration.flat
groups = selftest migration

[vmexit_cpuid]
file = vmexit.flat
test_args = 'cpuid'
qemu_params = -cpu max
groups = vmexit
arch = x86_64
accel = tcg
machine = q35
check = /sys/module/kvm/parameters/nested=Y
timeout = 30
"""
