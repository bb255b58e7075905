"""gdb 10's `info connections` table, as kut_load/connection.py reads it
(gdb 11 and later answer through Inferior.connection instead)."""

from gdb_stub import gdb_stub


def parse(table):
    with gdb_stub():
        from kut_load import connection
        return connection.parse_info_connections(table)


def test_the_selected_inferiors_row_gives_its_number_and_details():
    # What gdb 10.1 prints after `target remote 127.0.0.1:4567`.
    table = ("  Num  What                   Description       \n"
             "* 1    remote 127.0.0.1:4567  Remote serial target in gdb-specific protocol \n")
    assert parse(table) == (1, "127.0.0.1:4567")


def test_no_connection_is_none():
    assert parse("No connections.\n") == (None, None)
    assert parse("  Num  What  Description\n  1    remote :1234  Remote serial\n") == (None, None)
