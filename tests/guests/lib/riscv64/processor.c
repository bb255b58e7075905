/*
 * riscv64 exceptions for the sample guests: the trap vector ends in
 * do_handle_exception, named after kvm-unit-tests' lib/riscv/processor.c.
 */
#include "libcflat.h"

/* What the trap entry saves: the pc of the trapping instruction and why. */
struct pt_regs {
	unsigned long epc;
	unsigned long cause;
};

extern char exception_vectors[];

void show_regs(struct pt_regs *regs);

/* As upstream, the unhandled path prints the interrupted state first. */
__attribute__((noinline)) void show_regs(struct pt_regs *regs)
{
	puts("pc: ");
	put_hex(regs->epc);
	puts("\n");
}

void do_handle_exception(struct pt_regs *regs);

void do_handle_exception(struct pt_regs *regs)
{
	puts("Unhandled exception\n");
	show_regs(regs);
	abort();
}

void setup_exceptions(void)
{
	asm volatile("csrw stvec, %0" : : "r"(exception_vectors) : "memory");
}
