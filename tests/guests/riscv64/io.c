/* riscv64 virt console (ns16550) and power-off (SBI). */
#include "io.h"

#define UART_BASE	((volatile unsigned char *)0x10000000UL)
#define UART_THR	0
#define UART_LSR	5
#define UART_LSR_THRE	0x20

#define SBI_EXT_SRST	0x53525354L
#define SBI_LEGACY_SHUTDOWN	8L

void io_putc(char c)
{
	while (!(UART_BASE[UART_LSR] & UART_LSR_THRE))
		;
	UART_BASE[UART_THR] = c;
}

static void sbi_call(long eid, long fid, long arg0, long arg1)
{
	register long a0 asm("a0") = arg0;
	register long a1 asm("a1") = arg1;
	register long a6 asm("a6") = fid;
	register long a7 asm("a7") = eid;

	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}

void io_poweroff(int code)
{
	/* SRST: type 0 = shutdown, reason 0 = none or 1 = system failure. */
	sbi_call(SBI_EXT_SRST, 0, 0, code ? 1 : 0);
	/* Older firmware lacks SRST; the legacy call still shuts down. */
	sbi_call(SBI_LEGACY_SHUTDOWN, 0, 0, 0);
	for (;;)
		asm volatile("wfi");
}
