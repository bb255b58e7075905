/*
 * s390x program interrupts for the sample guests: the program-new PSW leads
 * to pgm_int (vectors.S) and handle_pgm_int, named after kvm-unit-tests'
 * lib/s390x/interrupt.c, which reports the interrupt and aborts. The
 * interrupted PSW, the instruction length and the code are in the lowcore.
 */
#include "libcflat.h"

struct psw {
	unsigned long mask;
	unsigned long addr;
};

/* The lowcore at real address 0 (vectors.S names it), up to the program-new PSW. */
struct lowcore {
	unsigned char pad_0x0000[0x8c];
	unsigned short pgm_int_id;		/* 0x8c: the instruction length */
	unsigned short pgm_int_code;		/* 0x8e */
	unsigned char pad_0x0090[0x150 - 0x90];
	struct psw pgm_old_psw;			/* 0x150 */
	unsigned char pad_0x0160[0x1d0 - 0x160];
	struct psw pgm_new_psw;			/* 0x1d0 */
};

extern volatile struct lowcore lowcore;

/* 64-bit addressing (EA and BA), interrupts and DAT off. */
#define PSW_MASK_64		0x0000000180000000UL

extern char pgm_int[];

void handle_pgm_int(void);

static void print_pgm_info(void)
{
	puts("Unexpected program interrupt: ");
	put_hex(lowcore.pgm_int_code);
	puts(" at ");
	put_hex(lowcore.pgm_old_psw.addr);
	puts(", ilen ");
	put_hex(lowcore.pgm_int_id);
	puts("\n");
	report_summary();
	abort();
}

void handle_pgm_int(void)
{
	print_pgm_info();
}

void setup_exceptions(void)
{
	lowcore.pgm_new_psw.mask = PSW_MASK_64;
	lowcore.pgm_new_psw.addr = (unsigned long)pgm_int;
}
