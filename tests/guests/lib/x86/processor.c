/*
 * i386 and x86_64 exceptions for the sample guests, shared as kvm-unit-tests'
 * lib/x86/desc.c is: every vector ends in unhandled_exception.
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
	unsigned char ist;	/* zero on i386 */
	unsigned char type;
	unsigned short offset1;
#ifdef __x86_64__
	unsigned int offset2;
	unsigned int reserved;
#endif
} __attribute__((packed));

static struct idt_entry idt[32];

extern unsigned long exception_stubs[32];

void do_handle_exception(struct ex_regs *regs);

/*
 * Not inlined, and regs live to the end as upstream's prints it last: gcc 10
 * otherwise keeps neither the frame nor regs that kut-break-fail reads.
 */
static __attribute__((noinline)) void unhandled_exception(struct ex_regs *regs)
{
	puts("Unhandled exception\n");
	asm volatile("" : : "r"(regs));
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
		idt[i].ist = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, 32- or 64-bit interrupt gate */
		idt[i].offset1 = stub >> 16;
#ifdef __x86_64__
		idt[i].offset2 = stub >> 32;
		idt[i].reserved = 0;
#endif
	}
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}
