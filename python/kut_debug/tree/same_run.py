"""Whether the QEMU a run script started is the one the log recorded.

run_qemu echoes its argv joined by spaces (echo drops quotes), so the log
line and the started argv compare word by word once both are split on
spaces; kut-debug's own -S -gdb tcp:... and the -initrd file, a new
temporary one each run, are left out of the comparison.
"""

from kut_debug.tree import qemu_command


def without_session_options(argv, stub_words):
    """argv without kut-debug's gdb stub words and the -initrd option."""
    result = []
    index = 0
    while index < len(argv):
        if argv[index:index + len(stub_words)] == stub_words:
            index += len(stub_words)
        elif argv[index] == "-initrd" and index + 1 < len(argv):
            index += 2
        else:
            result.append(argv[index])
            index += 1
    return result


def echoed_words(argv):
    return " ".join(argv).split()


def log_words(line):
    """The words of a log's QEMU line from the QEMU program on, without the
    `timeout ...` in front and the `# -initrd ...` comment."""
    words = qemu_command.without_comment(line).split()
    return qemu_command.from_qemu_program(words) or []


def difference(log_line, started_argv, stub_words):
    """None if the started QEMU runs the log's command, else one phrase saying
    where they part."""
    logged = log_words(log_line)
    started = echoed_words(without_session_options(started_argv, stub_words))
    if logged == started:
        return None
    for index, (was, now) in enumerate(zip(logged, started)):
        if was != now:
            return "word %d is %s, the log has %s" % (index + 1, now, was)
    if len(started) > len(logged):
        return "it adds %s" % " ".join(started[len(logged):])
    return "it lacks %s" % " ".join(logged[len(started):])
