/*
 * A minimal test library for the sample guests, modelled on the semantics of
 * kvm-unit-tests' lib/report.c and lib/libcflat.h: report() prints PASS or
 * FAIL and counts unexpected failures (FAIL, XPASS) in a static counter.
 */
#ifndef SAMPLE_LIBCFLAT_H
#define SAMPLE_LIBCFLAT_H

#include <stdbool.h>

void puts(const char *s);
void put_hex(unsigned long v);	/* 0x and every hex digit of v */
void report(bool pass, const char *msg, ...);
void report_xfail(bool xfail, bool pass, const char *msg, ...);
void report_kfail(bool kfail, bool pass, const char *msg, ...);
void report_skip(const char *msg, ...);
int report_summary(void);
void report_abort(const char *msg, ...) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));

#define __str(x) #x
#define _str(x) __str(x)

#define assert(cond)							\
do {									\
	if (!(cond)) {							\
		puts(__FILE__ ":" _str(__LINE__) ": assert failed: " #cond "\n"); \
		abort();						\
	}								\
} while (0)

/* Per arch (lib/<arch>/processor.c): route unexpected exceptions to the library. */
void setup_exceptions(void);

#endif
