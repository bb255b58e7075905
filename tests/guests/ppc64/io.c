/* QEMU pseries console (the H_PUT_TERM_CHAR hypercall) and power-off (RTAS). */
#include "io.h"

#define H_PUT_TERM_CHAR	0x58

void io_putc(char c)
{
	register unsigned long r3 asm("r3") = H_PUT_TERM_CHAR;
	register unsigned long r4 asm("r4") = 0;		/* terminal 0 */
	register unsigned long r5 asm("r5") = 1;		/* one byte */
	register unsigned long r6 asm("r6") = (unsigned long)(unsigned char)c << 56;

	asm volatile("sc 1" : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
		     : : "r0", "r7", "r8", "r9", "r10", "r11", "r12", "ctr", "xer", "cr0",
		     "memory");
}

/*
 * RTAS power-off through QEMU's H_RTAS hypercall (hw/ppc/spapr_rtas.c): the
 * arguments are big-endian words, as RTAS is, whatever the CPU's byte order.
 */
#define KVMPPC_H_RTAS	0xf000
#define RTAS_POWER_OFF	0x2003	/* QEMU's token, include/hw/ppc/spapr.h */

static unsigned int rtas_word(unsigned int v)
{
#ifdef __LITTLE_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

void io_poweroff(int code)
{
	/* token, nargs, nret, the two power-on masks, the status. */
	static unsigned int args[6] __attribute__((aligned(8)));
	register unsigned long r3 asm("r3") = KVMPPC_H_RTAS;
	register unsigned long r4 asm("r4") = (unsigned long)args;

	(void)code;
	args[0] = rtas_word(RTAS_POWER_OFF);
	args[1] = rtas_word(2);
	args[2] = rtas_word(1);
	asm volatile("sc 1" : "+r"(r3), "+r"(r4)
		     : : "r0", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "ctr", "xer",
		     "cr0", "memory");
	/* Without RTAS (another machine), just stop here. */
	for (;;)
		asm volatile("b .");
}
