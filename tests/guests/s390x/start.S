/*
 * Entry for the s390x image: an ET_EXEC linked at 0x10000, as kvm-unit-tests
 * links its s390x tests. QEMU's s390-ccw-virtio machine loads the ELF at its
 * link address and starts the CPU at e_entry in 64-bit addressing mode.
 */
	/* CFI in .debug_frame so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	.section .text.entry, "ax"
	.globl	_start
_start:
	.cfi_startproc
	.cfi_undefined %r14
	/* Zero .bss (8-byte aligned by the linker script). */
	larl	%r1, __bss_start
	larl	%r2, __bss_end
1:	clgr	%r1, %r2
	jhe	2f
	mvghi	0(%r1), 0
	aghi	%r1, 8
	j	1b
2:
	/* A register save area with a zero back chain ends gdb's backtrace. */
	larl	%r15, stack_top
	aghi	%r15, -160
	xc	0(8, %r15), 0(%r15)
	lghi	%r11, 0
	lghi	%r2, 1
	larl	%r3, sample_argv
	brasl	%r14, main
	brasl	%r14, io_poweroff
	.cfi_endproc

	/*
	 * QEMU writes the kernel command line to 0x10480 (hw/s390x/ipl.c's
	 * KERN_PARM_AREA): keep code and data out of it.
	 */
	.org	0x480
kernel_parm_area:
	.space	0x380

	.data
	.balign	8
sample_argv:
	.quad	sample_arg0, 0

	.section .rodata
sample_arg0:
	.asciz	"sample"
