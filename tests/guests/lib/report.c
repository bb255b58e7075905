/*
 * Test result reporting, with kvm-unit-tests' lib/report.c semantics: one
 * static function prints every result and counts it; only FAIL and XPASS
 * are unexpected failures.
 */
#include "libcflat.h"
#include "io.h"

static unsigned int tests, failures, xfailures, kfailures, skipped;

void puts(const char *s)
{
	while (*s)
		io_putc(*s++);
}

void put_hex(unsigned long v)
{
	int shift;

	puts("0x");
	for (shift = sizeof(v) * 8 - 4; shift >= 0; shift -= 4) {
		char digit[2] = { "0123456789abcdef"[(v >> shift) & 0xf], 0 };

		puts(digit);
	}
}

static void put_uint(unsigned int v)
{
	char digits[12];
	int i = 0;

	do {
		digits[i++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (i)
		io_putc(digits[--i]);
}

static void va_report(const char *msg, bool pass, bool xfail, bool kfail, bool skip)
{
	const char *prefix = skip ? "SKIP"
			   : xfail ? (pass ? "XPASS" : "XFAIL")
			   : kfail ? (pass ? "PASS" : "KFAIL")
			   : (pass ? "PASS" : "FAIL");

	tests++;
	puts(prefix);
	puts(": ");
	puts(msg);
	puts("\n");
	if (skip)
		skipped++;
	else if (xfail && !pass)
		xfailures++;
	else if (kfail && !pass)
		kfailures++;
	else if (xfail || !pass)
		failures++;
}

void report(bool pass, const char *msg, ...)
{
	va_report(msg, pass, false, false, false);
}

void report_xfail(bool xfail, bool pass, const char *msg, ...)
{
	va_report(msg, pass, xfail, false, false);
}

void report_kfail(bool kfail, bool pass, const char *msg, ...)
{
	va_report(msg, pass, false, kfail, false);
}

void report_skip(const char *msg, ...)
{
	va_report(msg, false, false, false, true);
}

int report_summary(void)
{
	puts("SUMMARY: ");
	put_uint(tests);
	puts(" tests");
	if (failures) {
		puts(", ");
		put_uint(failures);
		puts(" unexpected failures");
	}
	if (xfailures) {
		puts(", ");
		put_uint(xfailures);
		puts(" expected failures");
	}
	if (kfailures) {
		puts(", ");
		put_uint(kfailures);
		puts(" known failures");
	}
	if (skipped) {
		puts(", ");
		put_uint(skipped);
		puts(" skipped");
	}
	puts("\n");
	return failures > 0;
}

void report_abort(const char *msg, ...)
{
	puts("ABORT: ");
	puts(msg);
	puts("\n");
	report_summary();
	abort();
}

void abort(void)
{
	/* kvm-unit-tests' abort() exits with status 64 through the test device. */
	io_poweroff(64);
}
