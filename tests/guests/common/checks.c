/*
 * A kvm-unit-tests-style test with one image per outcome, chosen at build
 * time: CHECKS_FAIL (two failing checks and an unexpected pass among
 * expected outcomes),
 * CHECKS_PASS (expected failures only), CHECKS_ASSERT, CHECKS_EXCEPTION.
 * The exception is a load from UNMAPPED_ADDRESS where that faults, or with
 * FAULT_TRAP, where that does not fault or is not sure to, the compiler's
 * trap: i386 ud2 (#UD), ppc64 a trap instruction (a program interrupt),
 * s390x a compare-and-trap (a data-exception program interrupt).
 */
#include "libcflat.h"

/* volatile: the checks' outcomes are decided at run time, as in a real test. */
static volatile unsigned long register_value = 0x2a;
static volatile unsigned long *volatile unmapped;

/* noinline: each check stays a call from its own frame, as in a real test. */
__attribute__((noinline)) static void test_expected_outcomes(void)
{
	report(register_value == 0x2a, "register reads back");	/* kut-test: passing check */
	report_xfail(true, register_value == 0, "erratum makes this fail");	/* kut-test: xfail check */
	report_kfail(true, register_value == 0, "known bug makes this fail");	/* kut-test: kfail check */
	report_skip("feature not present");	/* kut-test: skipped check */
}

#ifdef CHECKS_FAIL
__attribute__((noinline)) static void test_failing_checks(void)
{
	report(register_value == 0x2b, "first check that fails");	/* kut-test: first failing check */
	report(register_value != 0, "check between the failures");	/* kut-test: passing check between */
	report(register_value == 0, "second check that fails");	/* kut-test: second failing check */
	report_xfail(true, register_value != 0, "expected to fail, but passes");	/* kut-test: xpass check */
}
#endif

#ifdef CHECKS_ASSERT
__attribute__((noinline)) static void test_assert(void)
{
	assert(register_value == 0);	/* kut-test: assert */
}
#endif

#if defined(CHECKS_EXCEPTION) && !defined(FAULT_TRAP)
__attribute__((noinline)) static unsigned long test_unmapped_load(void)
{
	unsigned long value = *unmapped;	/* kut-test: unmapped load */

	/* The load completes on its own line: gcc 16 put a returned load on the brace's. */
	asm volatile("" : : "r"(value));
	return value;
}
#endif

#if defined(CHECKS_EXCEPTION) && defined(FAULT_TRAP)
__attribute__((noinline)) static unsigned long test_trap_instruction(void)
{
	if (register_value)
		__builtin_trap();	/* kut-test: trap instruction */
	return 0;
}
#endif

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	setup_exceptions();
	test_expected_outcomes();
#ifdef CHECKS_FAIL
	test_failing_checks();
#endif
#ifdef CHECKS_ASSERT
	test_assert();
#endif
#if defined(CHECKS_EXCEPTION) && defined(FAULT_TRAP)
	report(test_trap_instruction() == 0, "trap instruction");
#elif defined(CHECKS_EXCEPTION)
	unmapped = (volatile unsigned long *)UNMAPPED_ADDRESS;
	report(test_unmapped_load() == 0, "load from an unmapped address");
#endif
	return report_summary();
}
