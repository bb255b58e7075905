"""The kut-load command, in the order it runs: options, planner (which file,
where, checked), main_file and debug_file (what gdb holds already), symbols
(add-symbol-file), byte_order."""
