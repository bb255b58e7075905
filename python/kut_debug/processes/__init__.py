"""The processes of a kut-debug session: QEMU started paused on a free
loopback port, gdb on the terminal, and the guard that ends them together."""
