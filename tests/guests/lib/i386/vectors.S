/* i386 exception stubs: push an error code where the CPU does not, then the vector. */
	.macro	stub, number
stub_\number:
	.if	!(\number == 8 || (\number >= 10 && \number <= 14) || \number == 17 || \number == 21)
	pushl	$0
	.endif
	pushl	$\number
	jmp	common_entry
	.endm

	.text
	.irp	number, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	stub	\number
	.endr

common_entry:
	movl	%esp, %eax
	pushl	%eax
	call	do_handle_exception

	.data
	.balign	4
	.globl	exception_stubs
exception_stubs:
	.irp	number, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.long	stub_\number
	.endr
