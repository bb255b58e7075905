"""The hooks that refuse gdb's reverse commands where QEMU hangs in them:
one per command, each running kut-reverse-refusal, none where the user has
a hook of that name."""

import importlib

from gdb_stub import gdb_stub


def defined_script(listing):
    """The script reverse_hooks.install() has gdb run, with `show user` saying listing."""
    with gdb_stub() as gdb:
        gdb.execute = lambda command, *args, **kwargs: listing if command == "show user" else ""
        reverse_hooks = importlib.import_module("kut_load.reverse_hooks")
        gdb_hooks = importlib.import_module("kut_load.gdb_hooks")
        scripts = []
        gdb_hooks.define = scripts.append
        reverse_hooks.install()
        return scripts, reverse_hooks.REVERSE_COMMANDS


def test_each_reverse_command_gets_a_hook_that_runs_the_refusal():
    scripts, commands = defined_script("")
    assert len(scripts) == 1
    blocks = scripts[0].split("end\n")[:-1]
    assert [block.splitlines() for block in blocks] == [
        ["define hook-%s" % command, "kut-reverse-refusal %s" % command]
        for command in commands]
    assert "reverse-stepi" in commands and "reverse-continue" in commands


def test_a_users_own_hook_is_kept():
    listing = ('User command "hook-reverse-stepi":\n  echo mine\\n\n\n'
               'User command "hookpost-monitor":\n  python pass\n')
    scripts, commands = defined_script(listing)
    assert "define hook-reverse-stepi\n" not in scripts[0]
    assert scripts[0].count("define hook-") == len(commands) - 1
