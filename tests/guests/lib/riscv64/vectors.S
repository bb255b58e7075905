/* riscv64 trap entry (direct mode): save sepc and scause, call do_handle_exception(regs). */
	.text
	.balign	4
	.globl	exception_vectors
exception_vectors:
	addi	sp, sp, -16
	csrr	t0, sepc
	sd	t0, 0(sp)
	csrr	t0, scause
	sd	t0, 8(sp)
	mv	a0, sp
	j	do_handle_exception
