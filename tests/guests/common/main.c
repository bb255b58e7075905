/*
 * Sample guest shared by every arch: a short call chain and a few globals
 * for the debugger to find once symbols are loaded at the right offset.
 */
#include "io.h"

/* Non-zero .data value: reads back wrong if the load offset is wrong. */
unsigned long long sample_magic = 0x6b75746c6f6164ULL;

/* Pointers in .data: a position-independent image needs run-time relocations for these. */
const char *sample_name = "sample";
unsigned long long *sample_magic_ref = &sample_magic;

/* .bss: one counter per low-3-bit value of the input bytes. */
unsigned int sample_counts[8];

static const unsigned char sample_data[] = "kvm-unit-tests sample guest";

static void print(const char *s)
{
	while (*s)
		io_putc(*s++);
}

static void print_hex(unsigned int v)
{
	int shift;

	for (shift = 28; shift >= 0; shift -= 4)
		io_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

/* noinline: the tests need real frames for mix and compute_checksum. */
__attribute__((noinline)) unsigned int mix(unsigned int hash, unsigned int value)
{
	hash ^= value;	/* kut-test: inside mix */
	return hash * 16777619u;
}

__attribute__((noinline)) unsigned int compute_checksum(const unsigned char *buf, unsigned int len)
{
	unsigned int hash = (unsigned int)(*sample_magic_ref ^ (*sample_magic_ref >> 32));
	unsigned int i;

	for (i = 0; i < len; i++) {
		sample_counts[buf[i] & 7]++;
		hash = mix(hash, buf[i]);
	}
	return hash;
}

int main(int argc, char **argv)
{
	unsigned int sum;

	print(argc > 0 ? argv[0] : sample_name);	/* kut-test: first line of main */
	sum = compute_checksum(sample_data, sizeof(sample_data) - 1);
	print(": checksum 0x");
	print_hex(sum);
	print("\n");
	return 0;
}
