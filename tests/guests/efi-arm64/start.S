/*
 * Entry of the EFI sample. The firmware calls it as efi_main(ImageHandle,
 * SystemTable) at wherever it loaded the image, so it first patches its own
 * relative relocations (the PE header lists none for the firmware to apply).
 */
#define R_AARCH64_RELATIVE	1027

	.cfi_sections .debug_frame

	.text
	.globl	_start
_start:
	.cfi_startproc
	stp	x29, x30, [sp, #-32]!
	.cfi_def_cfa_offset 32
	.cfi_offset x29, -32
	.cfi_offset x30, -24
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	.cfi_offset x19, -16
	.cfi_offset x20, -8
	mov	x19, x0
	mov	x20, x1

	/* Run-time base: the image starts at link address 0. */
	adr	x9, image_base
	adrp	x10, __rela_start
	add	x10, x10, :lo12:__rela_start
	adrp	x11, __rela_end
	add	x11, x11, :lo12:__rela_end
1:	cmp	x10, x11
	b.hs	2f
	ldp	x12, x13, [x10], #16	/* r_offset, r_info */
	ldr	x14, [x10], #8		/* r_addend */
	cmp	w13, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x14, x14, x9
	str	x14, [x9, x12]
	b	1b
2:
	mov	x0, x19
	mov	x1, x20
	bl	efi_main

	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret
	.cfi_endproc
