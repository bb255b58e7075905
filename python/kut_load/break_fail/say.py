"""kut-break-fail's own lines."""

import gdb


def say(text):
    gdb.write("kut-break-fail: %s\n" % text)
