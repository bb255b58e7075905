"""`monitor info roms` as QEMU 7.2 printed it through gdb for the sample
guests (qemu-system-ARCH ... -kernel sample.flat -S, then gdb-multiarch
-batch -ex 'target remote ...' -ex 'monitor info roms')."""

# gdb's own lines are part of what a batch run prints; they must be skipped.
GDB_NOISE = """\
0x0000000040000000 in ?? ()
[Inferior 1 (process 1) detached]
warning: No executable has been specified and target does not support
determining executable automatically.  Try using the "file" command.
"""

AARCH64 = """\
/rom@etc/acpi/tables size=0x200000 name="etc/acpi/tables"
/rom@etc/table-loader size=0x010000 name="etc/table-loader"
/rom@etc/acpi/rsdp size=0x001000 name="etc/acpi/rsdp"
addr=0000000040000000 size=0x000028 mem=ram name="bootloader"
addr=0000000040080000 size=0x000540 mem=ram name="build/tests/guests/arm64/sample.flat"
addr=0000000044000000 size=0x100000 mem=ram name="dtb"
"""

ARM = """\
/rom@etc/acpi/tables size=0x200000 name="etc/acpi/tables"
/rom@etc/table-loader size=0x010000 name="etc/table-loader"
/rom@etc/acpi/rsdp size=0x001000 name="etc/acpi/rsdp"
addr=0000000040000000 size=0x00001c mem=ram name="bootloader"
addr=0000000040010000 size=0x000390 mem=ram name="build/tests/guests/arm/sample.flat"
addr=0000000044000000 size=0x100000 mem=ram name="dtb"
"""

RISCV64 = """\
addr=0000000000001000 size=0x000028 mem=rom name="mrom.reset"
addr=0000000000001028 size=0x000030 mem=rom name="mrom.finfo"
addr=0000000080000000 size=0x01c280 mem=ram name="/usr/bin/../share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"
addr=0000000080200000 size=0x000560 mem=ram name="build/tests/guests/riscv64/sample.flat"
addr=0000000087e00000 size=0x100000 mem=ram name="fdt"
"""

X86_64 = """\
fw=genroms/kvmvapic.bin size=0x002400 name="kvmvapic.bin"
fw=genroms/multiboot_dma.bin size=0x000400 name="multiboot_dma.bin"
addr=0000000000400000 size=0x005040 mem=ram name="build/tests/guests/x86_64/sample.flat ELF program header segment 0"
addr=00000000fffc0000 size=0x040000 mem=rom name="bios-256k.bin"
/rom@etc/acpi/tables size=0x200000 name="etc/acpi/tables"
/rom@etc/table-loader size=0x010000 name="etc/table-loader"
/rom@etc/acpi/rsdp size=0x001000 name="etc/acpi/rsdp"
"""
