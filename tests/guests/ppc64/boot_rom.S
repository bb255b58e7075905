/*
 * The -bios ROM for QEMU pseries, as kvm-unit-tests' powerpc/boot_rom.S:
 * QEMU starts the CPU at 0x100, and a branch there (relative, as ppc
 * branches are) goes on to the test at 0x400000.
 */
	.section .text
	.org	0x100
	b	0x400000 - 0x100
