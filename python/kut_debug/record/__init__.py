"""--record and --replay: one run of a test recorded with QEMU's record/replay
and replayed under gdb."""
