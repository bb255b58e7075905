"""kut-debug: from a kvm-unit-tests log to gdb stopped at the test's main.

Reads the QEMU command a test ran with, starts that QEMU paused with a gdb
stub on a free loopback port and its console in a file, then runs
gdb-multiarch with kut-load, a breakpoint and continue. QEMU never outlives
the debugging session.
"""
