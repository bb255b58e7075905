# for_each_unittest CFG FUNCTION: calls FUNCTION with each test's fields.
for_each_unittest()
{
	local cfg=$1 cmd=$2 line testname groups smp kernel opts arch accel test_args

	while read -r line; do
		if [[ $line =~ ^\[(.*)\]$ ]]; then
			[ -n "$testname" ] && $cmd "$testname" "$groups" "$smp" "$kernel" "$opts" "$arch" "$accel" "$test_args"
			testname=${BASH_REMATCH[1]} groups= smp=1 kernel= opts= arch= accel= test_args=
		elif [[ $line =~ ^file\ *=\ *(.*)$ ]]; then
			kernel=$TEST_DIR/${BASH_REMATCH[1]}
		elif [[ $line =~ ^smp\ *=\ *(.*)$ ]]; then
			smp=${BASH_REMATCH[1]}
		elif [[ $line =~ ^(extra|qemu)_params\ *=\ *(.*)$ ]]; then
			opts=${BASH_REMATCH[2]}
		elif [[ $line =~ ^test_args\ *=\ *(.*)$ ]]; then
			test_args=${BASH_REMATCH[1]}
		elif [[ $line =~ ^groups\ *=\ *(.*)$ ]]; then
			groups=${BASH_REMATCH[1]}
		elif [[ $line =~ ^arch\ *=\ *(.*)$ ]]; then
			arch=${BASH_REMATCH[1]}
		elif [[ $line =~ ^accel\ *=\ *(.*)$ ]]; then
			accel=${BASH_REMATCH[1]}
		fi
	done <"$cfg"
	[ -n "$testname" ] && $cmd "$testname" "$groups" "$smp" "$kernel" "$opts" "$arch" "$accel" "$test_args"
}
