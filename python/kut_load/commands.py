"""Registers kut-load's gdb commands; imported once, by the gdbinit."""

from .command import KutLoadCommand

KutLoadCommand()
