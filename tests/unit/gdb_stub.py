"""A stand-in for gdb's Python module, so that unit tests can import the
modules that import gdb and read what they define (classes, help texts),
without running them: gdb's exception classes are real exceptions, and any
other name is a class that takes any arguments and has any attribute."""

import contextlib
import sys
import types


class _AnyClass(type):
    def __getattr__(cls, name):
        return cls  # gdb.events.stop.connect: a class again, so calls go on working


class Anything(metaclass=_AnyClass):
    """gdb.Command, gdb.Breakpoint, gdb.COMPLETE_FILENAME...: subclassable and callable."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return Anything


def stub_module():
    gdb = types.ModuleType("gdb")
    gdb.error = type("error", (RuntimeError,), {})
    gdb.MemoryError = type("MemoryError", (gdb.error,), {})
    gdb.GdbError = type("GdbError", (Exception,), {})
    gdb.frame_filters = {}  # a dict in gdb too, that extensions add their filters to
    gdb.execute = lambda command, *args, **kwargs: ""  # a gdb that prints nothing
    gdb.VERSION = "13.1"
    gdb.__getattr__ = lambda name: Anything
    gdb.__path__ = []  # a package, whose submodules the stand-in gives (gdb.unwinder)
    gdb.unwinder = types.ModuleType("gdb.unwinder")
    gdb.unwinder.register_unwinder = lambda *args, **kwargs: None
    return gdb


@contextlib.contextmanager
def gdb_stub():
    """gdb is the stand-in inside the block; the modules imported meanwhile
    are forgotten after it, so that no other test gets one built on it."""
    before = set(sys.modules)
    saved_gdb = sys.modules.get("gdb")
    sys.modules["gdb"] = stub_module()
    sys.modules["gdb.unwinder"] = sys.modules["gdb"].unwinder
    try:
        yield sys.modules["gdb"]
    finally:
        for name in set(sys.modules) - before:
            forget(name)
        sys.modules.pop("gdb.unwinder", None)
        if saved_gdb is None:
            sys.modules.pop("gdb", None)
        else:
            sys.modules["gdb"] = saved_gdb


def forget(name):
    """Drops module name, and its parent package's attribute for it."""
    module = sys.modules.pop(name)
    parent, _, child = name.rpartition(".")
    if parent in sys.modules and getattr(sys.modules[parent], child, None) is module:
        delattr(sys.modules[parent], child)
