/*
 * 32-bit arm exceptions for the sample guests: every vector ends in
 * do_handle_exception, named after kvm-unit-tests' lib/arm/processor.c.
 */
#include "libcflat.h"

/* As kvm-unit-tests' arm pt_regs: r0..r15, cpsr, orig_r0; the pc is uregs[15]. */
struct pt_regs {
	unsigned long uregs[18];
};

extern char vectors[];

void show_regs(struct pt_regs *regs);

/* As upstream, the unhandled path prints the interrupted state first. */
__attribute__((noinline)) void show_regs(struct pt_regs *regs)
{
	puts("pc: ");
	put_hex(regs->uregs[15]);
	puts("\n");
}

void do_handle_exception(unsigned int vector, struct pt_regs *regs);

void do_handle_exception(unsigned int vector, struct pt_regs *regs)
{
	(void)vector;
	puts("Unhandled exception\n");
	show_regs(regs);
	abort();
}

void setup_exceptions(void)
{
	/* VBAR (Security Extensions, present on cortex-a15). */
	asm volatile("mcr p15, 0, %0, c12, c0, 0\n\tisb" : : "r"(vectors) : "memory");
}
