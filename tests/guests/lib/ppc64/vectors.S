/*
 * ppc64 exception entry. setup_exceptions copies vector_trampoline to each
 * vector; it branches to exception_entry with its own address in r3, which
 * saves SRR0, SRR1 and the vector and calls do_handle_exception(regs).
 */
	.text
	.balign	8
	.globl	vector_trampoline, vector_trampoline_end, vector_trampoline_target
vector_trampoline:
	bcl	20, 31, 1f
1:	mflr	r3
	ld	r12, (vector_trampoline_target - 1b)(r3)
	mtctr	r12
	bctr
	.balign	8
vector_trampoline_target:
	.quad	0
vector_trampoline_end:

	/* A frame below the interrupted one: the ABI's 112 bytes, then struct pt_regs. */
	.globl	exception_entry
exception_entry:
	stdu	r1, -144(r1)
	mfsrr0	r0
	std	r0, 112(r1)
	mfsrr1	r0
	std	r0, 120(r1)
	clrrdi	r3, r3, 7		/* the vector: trampolines are 0x80-aligned */
	std	r3, 128(r1)
	addi	r3, r1, 112
	bl	do_handle_exception
	nop
