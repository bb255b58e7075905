/*
 * Entry for the 32-bit arm flat image. Linked at its load address
 * (QEMU virt: 0x40010000), so no relocation is needed.
 */
	.arm
	/* CFI in .debug_frame (unwind tables are discarded) so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	.section .text.entry, "ax"
	.globl	_start
_start:
	.cfi_startproc
	.cfi_undefined lr

	/* Zero .bss (word aligned by the linker script). */
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b

	ldr	sp, =stack_top
	/* Outermost frame: a zero frame pointer ends gdb's backtrace. */
	mov	fp, #0
	mov	r0, #1
	ldr	r1, =sample_argv
	bl	main
	b	io_poweroff
	.cfi_endproc
	.ltorg

	.data
	.balign	4
sample_argv:
	.word	sample_arg0, 0

	.section .rodata
sample_arg0:
	.asciz	"sample"
