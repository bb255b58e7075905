/*
 * Entry for the i386 image, a multiboot ELF32 linked at 0x400000 as
 * kvm-unit-tests' i386 tests are. QEMU's multiboot loader enters in 32-bit
 * protected mode with paging off, which is where the test stays.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0		/* ELF image: no memory info or a.out fields needed */

	/* CFI in .debug_frame (eh_frame is discarded) so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	/* The loader looks for this in the first 8 KiB of the file. */
	.section .multiboot, "a"
	.balign	4
	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.entry, "ax"
	.globl	mb_entry
mb_entry:
	.cfi_startproc
	.cfi_undefined eip
	/* Zero .bss; the loader already does, but do not depend on it. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	movl	$stack_top, %esp
	/* Outermost frame: a zero frame pointer ends gdb's backtrace. */
	xorl	%ebp, %ebp
	pushl	$sample_argv
	pushl	$1
	call	main
	pushl	%eax
	call	io_poweroff
	.cfi_endproc

	.data
	.balign	4
sample_argv:
	.long	sample_arg0, 0

	.section .rodata
sample_arg0:
	.asciz	"sample"
