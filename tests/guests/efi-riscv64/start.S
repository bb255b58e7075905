/*
 * Entry of the riscv64 EFI sample. The firmware calls it as
 * efi_main(ImageHandle in a0, SystemTable in a1) wherever it loaded the
 * image, so it first patches its own relative relocations (the PE header
 * lists none for the firmware to apply).
 */
#define R_RISCV_RELATIVE	3

	.cfi_sections .debug_frame

	.text
	.globl	_start
_start:
	.cfi_startproc
	addi	sp, sp, -32
	.cfi_def_cfa_offset 32
	sd	ra, 24(sp)
	sd	s1, 16(sp)
	sd	s2, 8(sp)
	.cfi_offset ra, -8
	.cfi_offset s1, -16
	.cfi_offset s2, -24
	mv	s1, a0
	mv	s2, a1

	/* Run-time base: the image starts at link address 0. */
	lla	t6, image_base
	lla	t0, __rela_start
	lla	t1, __rela_end
	li	t5, R_RISCV_RELATIVE
1:	bgeu	t0, t1, 2f
	ld	t2, 0(t0)		/* r_offset */
	ld	t3, 8(t0)		/* r_info: symbol 0, so the whole word is the type */
	ld	t4, 16(t0)		/* r_addend */
	addi	t0, t0, 24
	bne	t3, t5, 1b
	add	t4, t4, t6
	add	t2, t2, t6
	sd	t4, 0(t2)
	j	1b
2:
	mv	a0, s1
	mv	a1, s2
	call	efi_main

	ld	ra, 24(sp)
	ld	s1, 16(sp)
	ld	s2, 8(sp)
	addi	sp, sp, 32
	ret
	.cfi_endproc
