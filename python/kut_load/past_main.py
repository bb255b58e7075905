"""A frame filter that ends a backtrace at the test's main, as gdb's own
`set backtrace past-main off` (its default) does for a program it knows: gdb
knows main only in its main file, and kut-load loads the test with
add-symbol-file, so without this a backtrace goes on into the start-up code
(arm64's reloc_done, x86's start64) and past it into words that are no frames.
`set backtrace past-main on`, or `bt -no-filters`, shows those frames again."""

import gdb

NAME = "kut-load past-main"


class PastMainFilter:
    """gdb's frame filter protocol: name, priority, enabled, filter()."""

    def __init__(self):
        self.name = NAME
        self.priority = 0  # after any filter of the user's, which sees every frame
        self.enabled = True

    def filter(self, frames):
        if gdb.parameter("backtrace past-main"):
            return frames
        return frames_to_main(frames)


def frames_to_main(frames):
    """frames (FrameDecorators, newest first) up to and with the first `main`."""
    iterator = iter(frames)
    previous = None
    while True:
        try:
            decorated = next(iterator)
        except StopIteration:
            return
        except gdb.error:
            # gdb's FrameIterator unwinds one frame ahead of the one it returns, so an
            # unwinder's error past main (s390x: "PC not saved") loses main itself.
            lost = lost_frame(previous)
            if lost is None or not is_main(lost):
                raise
            from gdb.FrameDecorator import FrameDecorator  # this rare case only
            yield FrameDecorator(lost)
            return
        yield decorated
        previous = decorated.inferior_frame()
        if is_main(previous):
            return


def lost_frame(previous):
    """The frame gdb's FrameIterator was returning when unwinding past it failed."""
    try:
        return previous.older() if previous is not None else gdb.newest_frame()
    except gdb.error:
        return None


def is_main(frame):
    try:
        function = frame.function()
    except gdb.error:
        return False
    return function is not None and function.name == "main"
