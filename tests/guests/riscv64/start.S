/*
 * Entry for the riscv64 flat image. Linked at 0 as a PIE; OpenSBI enters it
 * in S-mode wherever QEMU put it (virt: 0x80200000), so it relocates itself.
 */
#define R_RISCV_RELATIVE	3

	/* CFI in .debug_frame (eh_frame is discarded) so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	.section .text.entry, "ax"
	.globl	_start
_start:
	.cfi_startproc
	.cfi_undefined ra
	/* Run-time base: the image starts at link address 0. */
	lla	s1, _start

	/* Apply .rela.dyn: *(base + offset) = base + addend for RELATIVE entries. */
	lla	t0, __rela_start
	lla	t1, __rela_end
	li	t5, R_RISCV_RELATIVE
1:	bgeu	t0, t1, 3f
	ld	t2, 0(t0)		/* r_offset */
	ld	t3, 8(t0)		/* r_info: symbol 0, so the whole word is the type */
	ld	t4, 16(t0)		/* r_addend */
	addi	t0, t0, 24
	bne	t3, t5, 1b
	add	t4, t4, s1
	add	t2, t2, s1
	sd	t4, 0(t2)
	j	1b
3:
	/* Zero .bss (8-byte aligned by the linker script). */
	lla	t0, __bss_start
	lla	t1, __bss_end
4:	bgeu	t0, t1, 5f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	4b
5:
	lla	sp, stack_top
	/* Outermost frame: a zero frame pointer ends gdb's backtrace. */
	li	s0, 0
	li	a0, 1
	lla	a1, sample_argv
	call	main
	tail	io_poweroff
	.cfi_endproc

	.data
	.balign	8
sample_argv:
	.dword	sample_arg0, 0		/* relocated like any other pointer */

	.section .rodata
sample_arg0:
	.asciz	"sample"
