/*
 * Entry of the x86_64 EFI sample. The firmware calls it with Microsoft's
 * calling convention, as efi_main(ImageHandle in rcx, SystemTable in rdx),
 * wherever it loaded the image, so it first patches its own relative
 * relocations (the PE header lists none for the firmware to apply).
 */
#define R_X86_64_RELATIVE	8

	.cfi_sections .debug_frame

	.text
	.globl	_start
_start:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	/* rbx and r12 are preserved across calls in both conventions. */
	pushq	%rbx
	pushq	%r12
	movq	%rcx, %rbx
	movq	%rdx, %r12

	/* Run-time base: the image starts at link address 0. */
	leaq	image_base(%rip), %r8
	leaq	__rela_start(%rip), %r9
	leaq	__rela_end(%rip), %r10
1:	cmpq	%r10, %r9
	jae	2f
	movq	(%r9), %rax		/* r_offset */
	movq	8(%r9), %r11		/* r_info */
	movq	16(%r9), %rdx		/* r_addend */
	addq	$24, %r9
	cmpl	$R_X86_64_RELATIVE, %r11d
	jne	1b
	addq	%r8, %rdx
	movq	%rdx, (%r8, %rax)
	jmp	1b
2:
	movq	%rbx, %rcx
	movq	%r12, %rdx
	/* The callee's 32-byte home area; rsp stays 16-byte aligned. */
	subq	$32, %rsp
	call	efi_main
	addq	$32, %rsp
	popq	%r12
	popq	%rbx
	popq	%rbp
	.cfi_def_cfa rsp, 8
	ret
	.cfi_endproc
