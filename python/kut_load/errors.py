"""Errors shared by modules that must not import gdb."""


class TargetError(Exception):
    """The target is missing, running, or refused a read."""
