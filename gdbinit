# kut-load: source this file from ~/.gdbinit, or run gdb-multiarch -x gdbinit.
# It only defines the commands; the native helper loads at the first kut-load.
python
def _kut_load_register():
    import os, sys
    # gdb does not tell a sourced script its own path, but holds it open
    # while reading it; find the open gdbinit that has our package beside it.
    for fd in sorted(os.listdir("/proc/self/fd"), key=int, reverse=True):
        try:
            path = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        package_root = os.path.join(os.path.dirname(path), "python")
        if os.path.isfile(os.path.join(package_root, "kut_load", "gdb_commands.py")):
            if package_root not in sys.path:
                sys.path.insert(0, package_root)
            import kut_load.gdb_commands
            return
    gdb.write("kut-load: cannot find the kut_load package beside this gdbinit\n", gdb.STDERR)
_kut_load_register()
del _kut_load_register
end
