/*
 * Entry for the ppc64 image (little- and big-endian). Linked at 0 as a PIE;
 * QEMU pseries puts it at 0x400000, where the -bios ROM (boot_rom.S) branches.
 * The CPU starts big-endian in 64-bit mode; a little-endian build first
 * switches the CPU to its own byte order.
 */
#define R_PPC64_RELATIVE	22
#define MSR_LE			1

	/* CFI in .debug_frame so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	.section .text.entry, "ax"
	.globl	_start
_start:
#ifdef __LITTLE_ENDIAN__
	/*
	 * Read big-endian, the first word is "b .+8" and the words after it
	 * are stored byte-swapped, so a big-endian CPU runs them: set MSR[LE]
	 * and rfid to .Lle_start. Read little-endian, the first word is a tdi
	 * that never traps and the second branches straight to .Lle_start.
	 */
	tdi	0, 0, 0x48
	b	.Lle_start
	.long	0xa600607d	/* mfmsr  r11 */
	.long	0x01006b69	/* xori   r11, r11, MSR_LE */
	.long	0x05009f42	/* bcl    20, 31, .+4 */
	.long	0xa602487d	/* mflr   r10 */
	.long	0x14004a39	/* addi   r10, r10, 20: .Lle_start */
	.long	0xa6035a7d	/* mtsrr0 r10 */
	.long	0xa6037b7d	/* mtsrr1 r11 */
	.long	0x2400004c	/* rfid */
.Lle_start:
#endif
	.cfi_startproc
	.cfi_undefined lr
	/* r12: the run-time address of 1; r31: the image's base (link address 0). */
	bcl	20, 31, 1f
1:	mflr	r12
	addi	r31, r12, _start - 1b
	addis	r2, r12, (.TOC. - 1b)@ha
	addi	r2, r2, (.TOC. - 1b)@l

	/* Apply .rela.dyn: *(base + offset) = base + addend for RELATIVE entries. */
	addis	r5, r2, __rela_start@toc@ha
	addi	r5, r5, __rela_start@toc@l
	addis	r6, r2, __rela_end@toc@ha
	addi	r6, r6, __rela_end@toc@l
2:	cmpld	r5, r6
	bge	3f
	ld	r7, 0(r5)		/* r_offset */
	ld	r8, 8(r5)		/* r_info: symbol 0, so the whole word is the type */
	ld	r9, 16(r5)		/* r_addend */
	addi	r5, r5, 24
	cmpdi	r8, R_PPC64_RELATIVE
	bne	2b
	add	r9, r9, r31
	stdx	r9, r7, r31
	b	2b
3:
	/* Zero .bss (8-byte aligned by the linker script). */
	addis	r5, r2, __bss_start@toc@ha
	addi	r5, r5, __bss_start@toc@l
	addis	r6, r2, __bss_end@toc@ha
	addi	r6, r6, __bss_end@toc@l
	li	r0, 0
4:	cmpld	r5, r6
	bge	5f
	std	r0, 0(r5)
	addi	r5, r5, 8
	b	4b
5:
	/* A frame whose back chain and saved lr are 0 ends gdb's backtrace. */
	addis	r1, r2, stack_top@toc@ha
	addi	r1, r1, stack_top@toc@l
	stdu	r0, -128(r1)
	std	r0, 16(r1)
	li	r3, 1
	addis	r4, r2, sample_argv@toc@ha
	addi	r4, r4, sample_argv@toc@l
	bl	main
	nop
	bl	io_poweroff
	nop
	.cfi_endproc

	.data
	.balign	8
sample_argv:
	.quad	sample_arg0, 0		/* relocated like any other pointer */

	.section .rodata
sample_arg0:
	.asciz	"sample"
