/* arm64 exception vectors: save pc and pstate, call do_handle_exception(vector, regs, esr). */
	.macro	vector, number
	.balign	0x80
	sub	sp, sp, #16
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp]
	mov	x0, #\number
	mov	x1, sp
	mrs	x2, esr_el1
	b	do_handle_exception
	.endm

	.text
	.balign	0x800
	.globl	vectors
vectors:
	.irp	number, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\number
	.endr
