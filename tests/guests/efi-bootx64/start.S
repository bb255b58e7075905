/*
 * Entry of the x86_64 EFI sample. The firmware calls it as
 * efi_main(ImageHandle in rcx, SystemTable in rdx), Microsoft calling
 * convention, wherever it loaded the image: the code only addresses itself
 * rip-relative and .data holds no addresses, so nothing needs relocating.
 */

	.cfi_sections .debug_frame

	.text
	.globl	_start
_start:
	.cfi_startproc
	push	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	mov	%rsp, %rbp
	push	%rbx
	.cfi_offset %rbx, -24
	push	%r12
	.cfi_offset %r12, -32
	mov	%rcx, %rbx
	mov	%rdx, %r12

	mov	%rbx, %rcx
	mov	%r12, %rdx
	/* The Microsoft convention's 32 bytes of home space for the callee. */
	sub	$32, %rsp
	call	efi_main
	add	$32, %rsp

	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.cfi_endproc
