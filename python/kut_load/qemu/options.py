"""Which QEMU options take a value, so a command line can be read option by
option without mistaking a value (as in `-append -S`) for an option; and the
-kernel file of a command line, for kut-load and kut-debug alike. Pure."""

from collections import namedtuple

# QEMU 7.x options that take no value (qemu-options.hx entries without HAS_ARG).
NO_VALUE = frozenset("""
    -h -help -version -S -s -snapshot -nographic -nodefaults -no-user-config -nodefconfig
    -no-reboot -no-shutdown -daemonize -enable-kvm -no-kvm -mem-prealloc -audio-help
    -usb -portrait -full-screen -no-frame -alt-grab -ctrl-grab -no-quit -sdl -curses
    -no-acpi -no-hpet -no-fd-bootchk -win2k-hack -rtc-td-hack -singlestep -preconfig
    -only-migratable -semihosting -old-param -enable-sync-profile -enable-fips
    -xen-attach -xen-domid-restrict -async-teardown
""".split())

# Options that take a value; anything else that starts with '-' is not a QEMU
# option, which is how words of an -append value that lost its quotes are told apart.
WITH_VALUE = frozenset("""
    -M -machine -cpu -accel -smp -m -mem-path -numa -k -audio -audiodev -soundhw
    -device -global -name -uuid -fda -fdb -hda -hdb -hdc -hdd -cdrom -blockdev -drive
    -mtdblock -sd -pflash -boot -fsdev -virtfs -iscsi -usbdevice -display -vga -vnc
    -spice -rotate -g -prom-env -acpitable -smbios -nic -netdev -net -chardev -tpmdev
    -bios -kernel -append -initrd -dtb -fw_cfg -fw -serial -parallel -monitor -qmp
    -qmp-pretty -mon -debugcon -pidfile -gdb -d -D -dfilter -seed -L -option-rom
    -rtc -icount -watchdog -watchdog-action -echr -incoming -chroot -runas -readconfig
    -set -trace -plugin -object -msg -dump-vmstate -sandbox -semihosting-config
    -overcommit -add-fd -action -compat -loadvm -tb-size -realtime -xen-domid
""".split())

# One option with its value (None for a flag), or a word that is no option.
Item = namedtuple("Item", "name value")


def option_name(word):
    """QEMU accepts --opt as well as -opt; this is the single-dash spelling."""
    if word.startswith("--") and len(word) > 2:
        return word[1:]
    return word


def is_option(word):
    return option_name(word) in NO_VALUE or option_name(word) in WITH_VALUE


def takes_value(word):
    """Unknown options are assumed to take a value, as most QEMU options do."""
    return option_name(word) not in NO_VALUE


def items(argv):
    """argv after the program name, as Items: option names single-dash spelled,
    words that are no option (QEMU reads them as a disk image) with name None."""
    result = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if not word.startswith("-") or word == "-":
            result.append(Item(None, word))
        elif takes_value(word) and index + 1 < len(argv):
            result.append(Item(option_name(word), argv[index + 1]))
            index += 1
        else:
            result.append(Item(option_name(word), None))
        index += 1
    return result


def words(option_items):
    """The inverse of items(): argv words again."""
    result = []
    for item in option_items:
        if item.name is None:
            result.append(item.value)
        elif item.value is None:
            result.append(item.name)
        else:
            result += [item.name, item.value]
    return result


def kernel_argument(argv):
    """The file given with -kernel in argv (program name first), or None.
    QEMU keeps the last of repeated options (qemu_opts_set in vl.c)."""
    kernels = [item.value for item in items(argv[1:]) if item.name == "-kernel" and item.value]
    return kernels[-1] if kernels else None
