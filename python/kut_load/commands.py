"""Registers kut-load's gdb commands and settings; imported once, by the gdbinit."""

from .command import KutLoadCommand
from .settings import AutoLoad, SetKutLoad, ShowKutLoad

SetKutLoad()
ShowKutLoad()
KUT_LOAD = KutLoadCommand()
AUTO_LOAD = AutoLoad(KUT_LOAD)
