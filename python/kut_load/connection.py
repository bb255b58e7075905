"""gdb's connection to QEMU for an inferior: which one it is, and what gdb was
told to connect to. gdb 11 and later answer through Inferior.connection; gdb 10
has only its `info connections` table, read here the same way.
"""

import gdb


def key(inferior):
    """(connection number, inferior number) while the inferior is connected,
    else None: one automatic load per connection and inferior."""
    number, _ = _connection(inferior)
    return None if number is None else (number, inferior.num)


def details(inferior):
    """What `target remote` was given, e.g. '127.0.0.1:1234' or ':1234', or
    None when the inferior has no connection or gdb cannot say."""
    _, text = _connection(inferior)
    return text


def _connection(inferior):
    """(number, details) of inferior's connection, or (None, None)."""
    if hasattr(inferior, "connection"):  # gdb 11 and later
        connection = inferior.connection
        if connection is None:
            return None, None
        return connection.num, getattr(connection, "details", None)
    if inferior != gdb.selected_inferior():
        return None, None  # gdb 10's table marks only the selected inferior's connection
    try:
        table = gdb.execute("info connections", to_string=True)
    except gdb.error:
        return None, None
    return parse_info_connections(table)


def parse_info_connections(table):
    """(number, details) of the row gdb marks '*' in `info connections`
    ('* 1    remote 127.0.0.1:1234  Remote serial target ...'), or (None, None)."""
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[0] == "*" and fields[1].isdigit():
            return int(fields[1]), fields[3]
    return None, None


# gdb's words where the remote connection went away under a command.
CLOSED = ("Remote communication error", "Remote connection closed")


def closed_by(error):
    """Whether gdb's error says the connection to QEMU went away."""
    return str(error).startswith(CLOSED)


def ended(was_live):
    """Whether the selected inferior, live before a command, has no process now."""
    return was_live and gdb.selected_inferior().pid == 0
