/*
 * i386 exceptions for the sample guests: every vector ends in
 * unhandled_exception, named after kvm-unit-tests' lib/x86/desc.c.
 */
#include "libcflat.h"

/* What vectors.S leaves on the stack, lowest address first; upstream names eip rip on i386 too. */
struct ex_regs {
	unsigned long vector;
	unsigned long error_code;
	unsigned long rip;
	unsigned long cs;
	unsigned long rflags;
};

struct idt_entry {
	unsigned short offset0;
	unsigned short selector;
	unsigned char zero;
	unsigned char type;
	unsigned short offset1;
} __attribute__((packed));

static struct idt_entry idt[32];

extern unsigned long exception_stubs[32];

void do_handle_exception(struct ex_regs *regs);

static void unhandled_exception(struct ex_regs *regs)
{
	(void)regs;
	puts("Unhandled exception\n");
	abort();
}

void do_handle_exception(struct ex_regs *regs)
{
	unhandled_exception(regs);
}

void setup_exceptions(void)
{
	struct {
		unsigned short limit;
		unsigned long base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (unsigned long)idt };
	unsigned short cs;
	int i;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	for (i = 0; i < 32; i++) {
		unsigned long stub = exception_stubs[i];

		idt[i].offset0 = stub;
		idt[i].selector = cs;
		idt[i].zero = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, 32-bit interrupt gate */
		idt[i].offset1 = stub >> 16;
	}
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}
