#!/usr/bin/env bash
# run_tests.sh [-v] [TEST...]: runs TEST_DIR/unittests.cfg's tests, each with
# its log in logs/TEST.log, as kvm-unit-tests' run_tests.sh does.
source config.mak
source scripts/common.bash

if [ "$CONFIG_EFI" = y ]; then
	RUNTIME_arch_run="./$TEST_DIR/efi/run"
else
	RUNTIME_arch_run="./$TEST_DIR/run"
fi
: "${MAX_SMP:=$(getconf _NPROCESSORS_CONF)}"
: "${TIMEOUT:=90s}"

[ "$1" = -v ] && shift
only_tests="$*"

run()
{
	local testname=$1 groups=$2 smp=$3 kernel=$4 opts=$5 arch=$6 accel=${ACCEL:-$7}
	local test_args=$8 cmdline

	[ -n "$only_tests" ] && ! grep -qw -- "$testname" <<<"$only_tests" && return
	if [ -n "$arch" ] && [ "$arch" != "$ARCH" ]; then
		echo "SKIP $testname ($arch only)"
		return
	fi
	[ "$CONFIG_EFI" = y ] && kernel=${kernel/%.flat/.efi}
	[ -n "$test_args" ] && opts="-append $test_args $opts"
	cmdline="TESTNAME=$testname TIMEOUT=$TIMEOUT ACCEL=$accel $RUNTIME_arch_run $kernel -smp $smp $opts"
	eval $cmdline >logs/$testname.log 2>&1
	echo "RAN $testname ($?)"
}

rm -rf logs && mkdir logs
for_each_unittest "$TEST_DIR/unittests.cfg" run
