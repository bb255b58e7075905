/* 32-bit arm exception vectors: save the interrupted pc, call do_handle_exception(vector, regs). */
	.arm
	.macro	entry, number, pc_offset
entry_\number:
	ldr	sp, =exception_stack_top
	sub	sp, sp, #72		/* struct pt_regs */
	sub	lr, lr, #\pc_offset
	str	lr, [sp, #60]		/* uregs[15]: the pc */
	mov	r0, #\number
	mov	r1, sp
	b	do_handle_exception
	.endm

	.text
	.balign	32
	.globl	vectors
vectors:
	b	entry_0
	b	entry_1
	b	entry_2
	b	entry_3
	b	entry_4
	b	entry_5
	b	entry_6
	b	entry_7

	entry	0, 0	/* reset */
	entry	1, 4	/* undefined instruction */
	entry	2, 0	/* supervisor call */
	entry	3, 4	/* prefetch abort */
	entry	4, 8	/* data abort */
	entry	5, 0	/* unused */
	entry	6, 4	/* IRQ */
	entry	7, 4	/* FIQ */
	.ltorg

	.bss
	.balign	8
	.space	1024
exception_stack_top:
