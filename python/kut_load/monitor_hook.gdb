# kut-load's post-hook of `monitor`, sourced by register_cache.py only where
# the user has no hookpost-monitor of their own: QEMU's monitor can reset the
# guest, so gdb's cached registers may be stale after a monitor command.
define hookpost-monitor
python __import__('kut_load.register_cache').register_cache.monitor_ran()
end
document hookpost-monitor
kut-load: after a monitor command, marks gdb's cached registers stale (QEMU's monitor can reset the guest).
end
