/*
 * Entry for the x86_64 image. QEMU's multiboot loader enters in 32-bit
 * protected mode with paging off; switch to long mode, then call main.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0		/* ELF image: no memory info or a.out fields needed */

#define CR0_PE		(1 << 0)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define PTE_PRESENT_RW	0x3
#define PTE_LARGE	0x80
/* Selectors of the GDT below; defines, as binutils 2.35 takes no later .set in ljmp. */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10

	/* CFI in .debug_frame (eh_frame is discarded) so gdb knows this is the outermost frame. */
	.cfi_sections .debug_frame

	/* The loader looks for this in the first 8 KiB of the file. */
	.section .multiboot, "a"
	.balign	4
	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl	mb_entry
mb_entry:
	lgdt	gdt_desc
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	/* Paging on with LME set activates long mode. */
	movl	%cr0, %eax
	orl	$(CR0_PE | CR0_PG), %eax
	movl	%eax, %cr0
	ljmp	$KERNEL_CS, $start64

	.code64
start64:
	.cfi_startproc
	.cfi_undefined rip
	movl	$KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* Zero .bss; the loader already does, but do not depend on it. */
	movq	$__bss_start, %rdi
	movq	$__bss_end, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb

	movq	$stack_top, %rsp
	/* Outermost frame: a zero frame pointer ends gdb's backtrace. */
	xorl	%ebp, %ebp
	movl	$1, %edi
	movq	$sample_argv, %rsi
	call	main
	movl	%eax, %edi
	call	io_poweroff
	.cfi_endproc

	.data
	.balign	8
sample_argv:
	.quad	sample_arg0, 0

/* Flat GDT: null, 64-bit code, data. */
gdt:
	.quad	0
	.quad	0x00af9a000000ffff
	.quad	0x00cf92000000ffff
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	gdt

/* Identity map of the first 1 GiB with 2 MiB pages. */
	.balign	4096
pml4:
	.quad	pdpt + PTE_PRESENT_RW
	.fill	511, 8, 0
pdpt:
	.quad	pd + PTE_PRESENT_RW
	.fill	511, 8, 0
pd:
	.set	i, 0
	.rept	512
	.quad	(i << 21) + PTE_LARGE + PTE_PRESENT_RW
	.set	i, i + 1
	.endr

	.section .rodata
sample_arg0:
	.asciz	"sample"
