/*
 * ppc64 exceptions for the sample guests (pseries, both byte orders): every
 * vector branches to exception_entry (vectors.S) and do_handle_exception,
 * which, as kvm-unit-tests' lib/powerpc/processor.c, prints the vector and
 * the interrupted address and calls abort().
 */
#include "libcflat.h"

/* What exception_entry saves: the interrupted address, MSR and the vector. */
struct pt_regs {
	unsigned long nip;
	unsigned long msr;
	unsigned long trap;
};

#define H_SET_MODE			0x31c
#define H_SET_MODE_RESOURCE_LE		4
#define H_SET_MODE_ENDIAN_LITTLE	1

/* The vectors a test can take with external interrupts off (MSR[EE] stays 0). */
static const unsigned long vectors[] = { 0x200, 0x300, 0x380, 0x400, 0x480, 0x600, 0x700, 0x800 };

extern char vector_trampoline[], vector_trampoline_end[], exception_entry[];
extern unsigned long vector_trampoline_target;

void do_handle_exception(struct pt_regs *regs);

void do_handle_exception(struct pt_regs *regs)
{
	puts("unhandled cpu exception ");
	put_hex(regs->trap);
	puts(" at NIA:");
	put_hex(regs->nip);
	puts(" MSR:");
	put_hex(regs->msr);
	puts("\n");
	abort();
}

/* pseries takes interrupts big-endian unless asked (PAPR's H_SET_MODE). */
static void set_interrupt_byte_order(void)
{
#ifdef __LITTLE_ENDIAN__
	register unsigned long r3 asm("r3") = H_SET_MODE;
	register unsigned long r4 asm("r4") = H_SET_MODE_ENDIAN_LITTLE;
	register unsigned long r5 asm("r5") = H_SET_MODE_RESOURCE_LE;
	register unsigned long r6 asm("r6") = 0;
	register unsigned long r7 asm("r7") = 0;

	asm volatile("sc 1" : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
		     : : "r0", "r8", "r9", "r10", "r11", "r12", "ctr", "xer", "cr0", "memory");
#endif
}

void setup_exceptions(void)
{
	unsigned long size = vector_trampoline_end - vector_trampoline;
	unsigned int i;

	set_interrupt_byte_order();
	vector_trampoline_target = (unsigned long)exception_entry;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *vector = (char *)vectors[i];
		unsigned long offset;

		for (offset = 0; offset < size; offset++)
			vector[offset] = vector_trampoline[offset];
		/* The copy is code: out of the data cache, into the instruction cache. */
		for (offset = 0; offset < size; offset += 4)
			asm volatile("dcbst 0, %0\n\tsync\n\ticbi 0, %0" : : "r"(vector + offset) : "memory");
	}
	asm volatile("sync\n\tisync" : : : "memory");
}
