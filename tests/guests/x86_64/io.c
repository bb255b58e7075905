/* x86 PC console (COM1) and exit (isa-debug-exit at port 0xf4). */
#include "io.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20
#define DEBUG_EXIT_PORT	0xf4

static inline void outb(unsigned short port, unsigned char v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline unsigned char inb(unsigned short port)
{
	unsigned char v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void io_putc(char c)
{
	while (!(inb(COM1_LSR) & LSR_THRE))
		;
	outb(COM1, c);
}

void io_poweroff(int code)
{
	/* QEMU exits with status (code << 1) | 1. */
	outb(DEBUG_EXIT_PORT, code);
	/* Without the debug-exit device, just stop here. */
	for (;;)
		asm volatile("cli; hlt");
}
