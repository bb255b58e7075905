/* arm64 virt console (PL011) and power-off (PSCI). */
#include "io.h"

#define PL011_DR	((volatile unsigned int *)0x09000000UL)
#define PSCI_SYSTEM_OFF	0x84000008UL

void io_putc(char c)
{
	*PL011_DR = (unsigned char)c;	/* QEMU's PL011 needs no setup */
}

void io_poweroff(int code)
{
	register unsigned long x0 asm("x0") = PSCI_SYSTEM_OFF;

	(void)code;	/* PSCI SYSTEM_OFF carries no exit status */
	/* QEMU virt without EL2/EL3 implements PSCI behind the hvc conduit. */
	asm volatile("hvc #0" : "+r"(x0) : : "memory");
	for (;;)
		asm volatile("wfi");
}
