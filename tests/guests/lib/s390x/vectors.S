/* s390x program-interrupt entry: a register save area below the interrupted stack, then handle_pgm_int. */
	.text
	.balign	8
	.globl	pgm_int
pgm_int:
	aghi	%r15, -160
	brasl	%r14, handle_pgm_int

	/* The lowcore is at real address 0, as kvm-unit-tests' s390x/flat.lds places it. */
	.globl	lowcore
	.set	lowcore, 0
