/*
 * Entry for the arm64 flat image. Linked at 0 as a PIE and loaded anywhere
 * (QEMU virt: 0x40080000), so it patches its own relative relocations first.
 */
#define R_AARCH64_RELATIVE	1027

	/* CFI in .debug_frame (eh_frame is discarded) so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	.section .text.entry, "ax"
	.globl	_start
_start:
	.cfi_startproc
	.cfi_undefined x30
	/* QEMU's boot loader passes the device tree's address in x0. */
	mov	x20, x0
	/* Run-time base: the image starts at link address 0. */
	adr	x19, _start

	/* Apply .rela.dyn: *(base + offset) = base + addend for RELATIVE entries. */
	adrp	x0, __rela_start
	add	x0, x0, :lo12:__rela_start
	adrp	x1, __rela_end
	add	x1, x1, :lo12:__rela_end
1:	cmp	x0, x1
	b.hs	3f
	ldp	x2, x3, [x0], #16	/* r_offset, r_info */
	ldr	x4, [x0], #8		/* r_addend */
	cmp	w3, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x4, x4, x19
	str	x4, [x19, x2]
	b	1b
3:
	/* Zero .bss (8-byte aligned by the linker script). */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
4:	cmp	x0, x1
	b.hs	5f
	str	xzr, [x0], #8
	b	4b
5:
	adrp	x0, boot_fdt
	str	x20, [x0, :lo12:boot_fdt]
	adrp	x0, stack_top
	add	x0, x0, :lo12:stack_top
	mov	sp, x0

	/* Outermost frame: a zero frame pointer ends gdb's backtrace. */
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, #1
	adrp	x1, sample_argv
	add	x1, x1, :lo12:sample_argv
	bl	main
	b	io_poweroff
	.cfi_endproc

	.data
	.balign	8
	.globl	boot_fdt
boot_fdt:
	.quad	0			/* the device tree QEMU passed */
sample_argv:
	.quad	sample_arg0, 0		/* relocated like any other pointer */

	.section .rodata
sample_arg0:
	.asciz	"sample"
