"""kut-load: source-level symbols for kvm-unit-tests images running under QEMU.

The package imports nothing heavy: gdb's start-up pays only for defining the
commands. The native helper is imported at the first kut-load (see native.py).
"""

__version__ = "0.1.0"
