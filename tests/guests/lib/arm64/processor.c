/*
 * arm64 exceptions for the sample guests: every vector ends in bad_exception,
 * named and shaped after kvm-unit-tests' lib/arm64/processor.c.
 */
#include "libcflat.h"

/* What vectors.S saves: the state the exception interrupted. */
struct pt_regs {
	unsigned long pc;
	unsigned long pstate;
};

extern char vectors[];

void show_regs(struct pt_regs *regs);

/* As upstream, the unhandled path prints the interrupted state first. */
__attribute__((noinline)) void show_regs(struct pt_regs *regs)
{
	puts("pc: ");
	put_hex(regs->pc);
	puts("\n");
}

void do_handle_exception(unsigned int vector, struct pt_regs *regs, unsigned int esr);

static void bad_exception(unsigned int vector, struct pt_regs *regs, unsigned int esr)
{
	(void)vector;
	(void)esr;
	puts("Unhandled exception\n");
	show_regs(regs);
	abort();
}

void do_handle_exception(unsigned int vector, struct pt_regs *regs, unsigned int esr)
{
	bad_exception(vector, regs, esr);
}

void setup_exceptions(void)
{
	asm volatile("msr vbar_el1, %0\n\tisb" : : "r"(vectors) : "memory");
}
