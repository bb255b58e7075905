/* QEMU pseries console (the H_PUT_TERM_CHAR hypercall) and power-off. */
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

void io_poweroff(int code)
{
	(void)code;
	/* Powering off needs RTAS, which this image has not got: stop here. */
	for (;;)
		asm volatile("b .");
}
