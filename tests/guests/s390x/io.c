/*
 * s390x: the sample writes no console (s390's SCLP console needs far more
 * than this image is for: the tests read its state through gdb) and stops
 * in a disabled wait when done.
 */
#include "io.h"

void io_putc(char c)
{
	(void)c;
}

void io_poweroff(int code)
{
	/* A disabled-wait PSW stops the CPU; QEMU reports it and exits. */
	static const unsigned long long wait_psw[2] __attribute__((aligned(8))) = {
		0x0002000180000000ULL, 0,
	};

	(void)code;
	asm volatile("lpswe %0" : : "Q"(wait_psw) : "memory");
	for (;;)
		;
}
