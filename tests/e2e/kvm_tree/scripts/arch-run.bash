# What the arch run scripts share: the QEMU run with its -initrd environment.

# run_qemu QEMU ARGS...: echoes the command, then runs it with the environment.
run_qemu()
{
	initrd_create || return $?
	echo -n "$@"
	[ "$ENVIRON_DEFAULT" = yes ] && echo -n " #"
	echo " $INITRD"
	"$@" $INITRD </dev/null
}

timeout_cmd()
{
	if [ "$TIMEOUT" ] && [ "$TIMEOUT" != 0 ]; then
		echo "timeout -k 1s --foreground $TIMEOUT"
	fi
}

search_qemu_binary()
{
	command -v "${QEMU:-qemu-system-$ARCH_NAME}" || {
		echo "A QEMU binary was not found." >&2
		return 2
	}
}

# initrd_create: a new environment file, removed when the script exits.
initrd_create()
{
	if [ "$ENVIRON_DEFAULT" = yes ]; then
		KVM_UNIT_TESTS_ENV=$(mktemp)
		trap 'rm -f "$KVM_UNIT_TESTS_ENV"' EXIT
		env_params
		env_errata || return $?
		INITRD="-initrd $KVM_UNIT_TESTS_ENV"
	fi
	return 0
}

env_add()
{
	local name
	for name in "$@"; do
		echo "$name=${!name}" >>"$KVM_UNIT_TESTS_ENV"
	done
}

env_params()
{
	local qemu rest
	qemu=$(search_qemu_binary) || return
	QEMU_ACCEL=$ACCEL
	QEMU_VERSION_STRING=$($qemu -h | head -1)
	IFS='[ .]' read -r _ _ _ QEMU_MAJOR QEMU_MINOR QEMU_MICRO rest <<<"$QEMU_VERSION_STRING"
	env_add QEMU_ACCEL QEMU_VERSION_STRING QEMU_MAJOR QEMU_MINOR QEMU_MICRO
	KERNEL_VERSION_STRING=$(uname -r)
	IFS=. read -r KERNEL_VERSION KERNEL_PATCHLEVEL rest <<<"$KERNEL_VERSION_STRING"
	env_add KERNEL_VERSION_STRING KERNEL_VERSION KERNEL_PATCHLEVEL
}

# env_errata: ERRATA_FORCE=y under TCG, else ERRATA_<commit>=y|n from
# errata.txt's "commit:minimum kernel version" lines; ERRATA_* of the
# caller's environment are passed on as well.
env_errata()
{
	local line commit version major minor
	if [ "$ACCEL" = tcg ]; then
		export ERRATA_FORCE=y
	elif [ -f "$ERRATATXT" ]; then
		for line in $(grep -v '^#' "$ERRATATXT" | tr -d '[:blank:]' | cut -d: -f1,2); do
			commit=${line%:*} version=${line#*:}
			IFS=. read -r major minor _ <<<"$version"
			if (( KERNEL_VERSION > major || (KERNEL_VERSION == major && KERNEL_PATCHLEVEL >= minor) )); then
				export "ERRATA_$commit=y"
			else
				export "ERRATA_$commit=n"
			fi
		done
	fi
	env | grep '^ERRATA_' >>"$KVM_UNIT_TESTS_ENV"
	return 0
}

set_qemu_accelerator()
{
	if [ "$ACCEL" = kvm ] && [ ! -c /dev/kvm -o "$HOST" != "$ARCH_NAME" ]; then
		echo "KVM is needed, but not available on this host" >&2
		return 2
	fi
	: "${ACCEL:=tcg}"
}
